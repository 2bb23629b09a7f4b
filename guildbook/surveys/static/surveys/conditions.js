// Follow-up surveys: show a question only when the answer it depends on is chosen
// ("What got in the way?" when question 1 is "Not yet"). Without this script every
// question shows with a note saying when it applies; the server ignores answers to
// questions whose condition is not met either way.
(function () {
  "use strict";

  function update(form) {
    var blocks = form.querySelectorAll("[data-show-if]");
    blocks.forEach(function (block) {
      var field = block.getAttribute("data-show-if");
      var choice = block.getAttribute("data-show-if-choice");
      var parent = form.querySelector("#" + field + "-block");
      var input = form.querySelector(
        'input[name="' + field + '"][value="' + choice + '"]'
      );
      var shown = !!(input && input.checked && parent && !parent.hidden);
      block.hidden = !shown;
      block.querySelectorAll("input, textarea, select").forEach(function (el) {
        el.disabled = !shown;
      });
      block.querySelectorAll(".survey-condition").forEach(function (note) {
        note.hidden = true;
      });
    });
  }

  function start() {
    document.querySelectorAll("form.survey-form").forEach(function (form) {
      // Twice: a condition may depend on a question that is itself conditional.
      var run = function () { update(form); update(form); };
      form.addEventListener("change", run);
      run();
    });
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start);
  } else {
    start();
  }
})();
