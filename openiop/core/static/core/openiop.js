// SPDX-License-Identifier: AGPL-3.0-or-later
// Small behaviours every page may use, declared in the markup with data-
// attributes: the Content-Security-Policy allows no inline handlers (onclick=).
//   <button data-print>             prints the page
//   <select data-submit-on-change>  sends its form when the choice changes
document.addEventListener("click", (event) => {
  const target = event.target instanceof Element ? event.target.closest("[data-print]") : null;
  if (target) { window.print(); }
});
document.addEventListener("change", (event) => {
  const target = event.target;
  if (target instanceof HTMLSelectElement && target.hasAttribute("data-submit-on-change") && target.form) {
    target.form.submit();
  }
});

// Idle logoff in the browser: the server signs the session out after the idle
// limit anyway; this only moves the screen away from patient data when the
// time is up, so an unattended screen does not keep showing it.
(function () {
  "use strict";
  const body = document.body;
  const seconds = parseInt(body.dataset.idleSeconds || "0", 10);
  if (!seconds) { return; }
  let deadline = Date.now() + seconds * 1000;
  const reset = () => { deadline = Date.now() + seconds * 1000; };
  document.addEventListener("htmx:afterRequest", reset);
  window.setInterval(() => {
    if (Date.now() > deadline) {
      window.location.assign(body.dataset.loginUrl + "?next=" + encodeURIComponent(window.location.pathname) + "&idle=1");
    }
  }, 5000);
})();
