// The live word count of the statement editor. It mirrors guildbook/portfolios/text.py's
// count_words (tests/portfolios/test_words_js.py runs both on the same cases): a word is a
// run of characters between spaces holding a letter or digit; [E12] references are not words.
(function () {
  "use strict";
  var REFERENCE = /\[E\d{1,6}\]/g;
  var WORDLIKE = /[\p{L}\p{N}]/u;

  function countWords(text) {
    return (text || "").replace(REFERENCE, " ").split(/\s+/).filter(function (token) {
      return WORDLIKE.test(token);
    }).length;
  }

  if (typeof module !== "undefined") {
    module.exports = { countWords: countWords };
    return;
  }

  function update(area, output) {
    var words = countWords(area.value);
    var limit = parseInt(output.getAttribute("data-limit") || "0", 10);
    var text = words.toLocaleString("en-GB") + (words === 1 ? " word" : " words");
    if (limit) {
      text += " of " + limit.toLocaleString("en-GB");
      if (words > limit) {
        text += ": " + (words - limit).toLocaleString("en-GB") + " over the limit";
      }
    }
    output.textContent = text;
    output.classList.toggle("over", limit > 0 && words > limit);
  }

  document.addEventListener("DOMContentLoaded", function () {
    var outputs = document.querySelectorAll("[data-word-count-for]");
    Array.prototype.forEach.call(outputs, function (output) {
      var area = document.getElementById(output.getAttribute("data-word-count-for"));
      if (!area) return;
      area.addEventListener("input", function () { update(area, output); });
      update(area, output);
    });
  });
})();
