// SPDX-License-Identifier: AGPL-3.0-or-later
// Keyboard-fast attendance: a letter picks the status in the focused row;
// absent/no-show set 0 minutes, present the full length; "Mark all present"
// fills every row before the form is sent (the server does the same without JS).
(function () {
  "use strict";
  var KEYS = { p: "present", l: "late", e: "left_early", a: "absent", n: "no_show" };
  // Late or left early: the full length would be wrong, so the field is
  // emptied, required, its question shown, and the cursor put in it.
  function setMinutes(row, status, length) {
    var minutes = row.querySelector("[data-minutes]");
    if (!minutes) return;
    var ask = row.querySelector("[data-minutes-ask]");
    var partial = status === "late" || status === "left_early";
    if (status === "absent" || status === "no_show") minutes.value = "0";
    else if (status === "present") minutes.value = String(length);
    else if (minutes.value === "0" || minutes.value === String(length)) minutes.value = "";
    minutes.required = partial;
    if (ask) ask.hidden = !partial;
    if (partial) minutes.focus();
  }
  document.addEventListener("DOMContentLoaded", function () {
    var form = document.getElementById("attendance-form");
    if (!form) return;
    var length = parseInt(form.dataset.length, 10);
    form.addEventListener("change", function (event) {
      var target = event.target;
      if (target.type === "radio" && target.dataset.status) {
        setMinutes(target.closest("[data-row]"), target.dataset.status, length);
      }
    });
    form.addEventListener("keydown", function (event) {
      if (event.ctrlKey || event.metaKey || event.altKey) return;
      if (event.target.type === "text" || event.target.type === "number") return;
      var status = KEYS[event.key.toLowerCase()];
      var row = event.target.closest ? event.target.closest("[data-row]") : null;
      if (!status || !row) return;
      var radio = row.querySelector('input[data-status="' + status + '"]');
      if (!radio) return;
      event.preventDefault();
      radio.checked = true;
      radio.focus();
      setMinutes(row, status, length);
    });
    var all = document.getElementById("mark-all-present");
    if (all) {
      all.addEventListener("click", function (event) {
        // With script the button only fills the rows, so one can still be
        // changed before saving; without script it saves everyone present.
        event.preventDefault();
        form.querySelectorAll("[data-row]").forEach(function (row) {
          var radio = row.querySelector('input[data-status="present"]');
          if (radio) radio.checked = true;
          setMinutes(row, "present", length);
        });
      });
    }
  });
})();
