// The course form's rows (session plan, booking questions, materials) in the page: "Move up",
// "Move down" and "Add another" work here without a trip to the server, keep focus on the
// row, and say what happened in the status region. Without this script the same buttons
// post the form and the server rearranges the rows; either way nothing is saved until
// "Save the course".
(function () {
  var status = document.getElementById("plan-status");
  if (!status) return;

  function say(text) {
    status.textContent = "";
    var p = document.createElement("p");
    p.className = "message message-success";
    p.textContent = text;
    status.appendChild(p);
  }

  function rows(part) {
    return Array.prototype.slice.call(part.querySelectorAll(".plan-rows > .plan-row"));
  }

  // Positions, numbers and which move buttons show follow the rows' order on the page.
  function renumber(part) {
    var list = rows(part);
    list.forEach(function (row, n) {
      row.querySelector('input[name$="-ORDER"]').value = n + 1;
      row.querySelector(".plan-row-number").textContent = n + 1;
      row.querySelector('[data-plan-move="up"]').hidden = n === 0;
      row.querySelector('[data-plan-move="down"]').hidden = n === list.length - 1;
    });
    var none = part.querySelector(".plan-none");
    if (none) none.hidden = list.length > 0;
    return list;
  }

  function title(row) {
    var field = row.querySelector('input[name$="-title"], input[name$="-text"]');
    return field && field.value.trim();
  }

  function move(button) {
    var row = button.closest(".plan-row");
    var part = button.closest("[data-plan-part]");
    var up = button.getAttribute("data-plan-move") === "up";
    var other = up ? row.previousElementSibling : row.nextElementSibling;
    if (!other || !other.classList.contains("plan-row")) return;
    // The neighbour moves, not the row with focus, so focus stays where it is.
    if (up) row.parentNode.insertBefore(other, row.nextElementSibling);
    else row.parentNode.insertBefore(other, row);
    var list = renumber(part);
    var label = part.getAttribute("data-row-label").toLowerCase();
    var name = title(row) ? "\u201c" + title(row) + "\u201d" : "the " + label;
    var target = button.hidden
      ? row.querySelector('[data-plan-move="' + (up ? "down" : "up") + '"]')
      : button;
    target.focus();
    say("Moved " + name + (up ? " up" : " down") + ", now " + (list.indexOf(row) + 1) +
        " of " + list.length + ".");
  }

  function add(button) {
    var part = button.closest("[data-plan-part]");
    var template = part.querySelector("template");
    var total = part.querySelector('input[name$="-TOTAL_FORMS"]');
    var index = parseInt(total.value, 10);
    var holder = document.createElement("div");
    holder.innerHTML = template.innerHTML.replace(/__prefix__/g, String(index));
    var row = holder.firstElementChild;
    part.querySelector(".plan-rows").appendChild(row);
    total.value = index + 1;
    var list = renumber(part);
    var first = row.querySelector(".plan-fields input, .plan-fields select, .plan-fields textarea");
    if (first) first.focus();
    say("Added an empty " + part.getAttribute("data-row-label").toLowerCase() + ", " +
        list.length + " of " + list.length + ".");
  }

  document.addEventListener("click", function (event) {
    var button = event.target.closest("button[data-plan-move], button[name=plan_add]");
    if (!button || !button.closest("[data-plan-part]")) return;
    event.preventDefault();
    if (button.name === "plan_add") add(button);
    else move(button);
  });
})();
