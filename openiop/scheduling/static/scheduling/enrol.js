// SPDX-License-Identifier: AGPL-3.0-or-later
// Enrolment picker: a search box narrows the checkbox list by name or MRN
// (ticked patients always stay visible). Without script the list is shown whole.
(function () {
  "use strict";
  document.addEventListener("DOMContentLoaded", function () {
    var box = document.querySelector("[data-filter-box]");
    var input = document.getElementById("enrol-filter");
    var count = document.getElementById("enrol-count");
    var choices = Array.prototype.slice.call(document.querySelectorAll("#enrol-choices [data-choice]"));
    if (!box || !input || !choices.length) return;
    box.hidden = false;
    function filter() {
      var words = input.value.toLowerCase().split(/\s+/).filter(Boolean);
      var shown = 0;
      choices.forEach(function (choice) {
        var text = choice.textContent.toLowerCase();
        var ticked = choice.querySelector("input").checked;
        var match = ticked || words.every(function (word) { return text.indexOf(word) !== -1; });
        choice.hidden = !match;
        if (match) shown += 1;
      });
      count.textContent = words.length
        ? count.dataset.template.replace("SHOWN", shown).replace("TOTAL", choices.length)
        : "";
    }
    input.addEventListener("input", filter);
    input.addEventListener("keydown", function (event) {
      if (event.key === "Enter") event.preventDefault();  // Enter in the search box must not enrol
    });
  });
})();
