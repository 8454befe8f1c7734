// SPDX-License-Identifier: AGPL-3.0-or-later
// Group notes, keyboard-first: filter the participant list as you type, and
// jump between participants' responses with Alt+ArrowDown / Alt+ArrowUp.
(function () {
  "use strict";
  const filter = document.getElementById("participant-filter");
  if (filter) {
    filter.addEventListener("input", function () {
      const needle = filter.value.toLowerCase();
      document.querySelectorAll(".participants li").forEach(function (item) {
        item.hidden = !item.textContent.toLowerCase().includes(needle);
      });
    });
  }
  document.addEventListener("keydown", function (event) {
    const target = event.target;
    if (!event.altKey || !target.classList || !target.classList.contains("section-response")) { return; }
    if (event.key !== "ArrowDown" && event.key !== "ArrowUp") { return; }
    const all = Array.from(document.querySelectorAll(".section-response"));
    const next = all[all.indexOf(target) + (event.key === "ArrowDown" ? 1 : -1)];
    if (next) { event.preventDefault(); next.focus(); }
  });
})();
