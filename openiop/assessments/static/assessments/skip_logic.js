// SPDX-License-Identifier: AGPL-3.0-or-later
// The instrument form's skip logic (C-SSRS: "if no to 2, go to 6"), as a
// convenience: a question the answers so far leave unasked is hidden and
// cleared. The server applies the same rule whether or not this runs.
//   <fieldset data-skip-when="item_2=no item_6=no">  hidden when any holds
(function () {
  "use strict";
  const update = () => {
    document.querySelectorAll("fieldset[data-skip-when]").forEach((fieldset) => {
      const form = fieldset.closest("form");
      if (!form) { return; }
      const skipped = fieldset.dataset.skipWhen.split(" ").some((rule) => {
        const [name, value] = rule.split("=");
        const chosen = form.querySelector(`input[name="${name}"]:checked`);
        return chosen !== null && chosen.value === value && !chosen.closest("fieldset[hidden]");
      });
      fieldset.hidden = skipped;
      if (skipped) {
        fieldset.querySelectorAll("input:checked").forEach((input) => { input.checked = false; });
      }
    });
  };
  document.addEventListener("change", update);
  document.addEventListener("DOMContentLoaded", update);
})();
