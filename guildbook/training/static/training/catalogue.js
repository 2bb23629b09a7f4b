// The catalogue on a phone: fold the search and filters behind one button, so the courses
// are on the first screen. Without this script (or on a wider screen) they stay open.
(function () {
  var fold = document.querySelector("details[data-fold-on-phone]");
  if (!fold || fold.hasAttribute("data-filtered")) return;
  if (window.matchMedia("(max-width: 40rem)").matches) fold.open = false;
})();
