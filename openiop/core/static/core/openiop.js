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

// The staff menu collapses behind a "Menu" button on tablets and phones
// (openiop.css decides the width). Without script the button stays hidden and
// the menu stays open, so nobody loses the navigation.
(function () {
  "use strict";
  document.querySelectorAll(".nav-toggle").forEach((button) => {
    const menu = document.getElementById(button.getAttribute("aria-controls") || "");
    const nav = button.closest("nav");
    if (!menu || !nav) { return; }
    nav.classList.add("nav-collapsible");
    button.hidden = false;
    const setOpen = (open) => {
      button.setAttribute("aria-expanded", String(open));
      menu.classList.toggle("is-open", open);
    };
    button.addEventListener("click", () => setOpen(button.getAttribute("aria-expanded") !== "true"));
    document.addEventListener("keydown", (event) => {
      if (event.key === "Escape" && button.getAttribute("aria-expanded") === "true") {
        setOpen(false);
        button.focus();
      }
    });
  });
})();

// Every table in the page sits in its own box that scrolls sideways when the
// table is wider than the screen, so the page itself never does. A box that
// really scrolls is made a named, focusable region, so keyboard users can
// scroll it too (WCAG 2.1.1); one that fits stays out of the tab order.
(function () {
  "use strict";
  const boxLabel = (box) => {
    const caption = box.querySelector("caption");
    if (caption && caption.textContent.trim()) { return caption.textContent.trim(); }
    return document.documentElement.lang === "es" ? "Tabla" : "Table";
  };
  const fitTables = (root) => {
    root.querySelectorAll("main table").forEach((table) => {
      if (table.closest(".table-scroll, .fc, .leaflet-container")) { return; }
      const box = document.createElement("div");
      box.className = "table-scroll";
      box.dataset.tableBox = "";
      table.parentNode.insertBefore(box, table);
      box.appendChild(table);
    });
    // Boxes a template wrote without making them focusable are looked after too.
    document.querySelectorAll(".table-scroll:not([tabindex])").forEach((box) => { box.dataset.tableBox = ""; });
    document.querySelectorAll(".table-scroll[data-table-box]").forEach((box) => {
      const scrolls = box.scrollWidth > box.clientWidth + 1;
      if (scrolls && !box.hasAttribute("tabindex")) {
        box.tabIndex = 0;
        if (!box.hasAttribute("role")) { box.setAttribute("role", "region"); box.dataset.tableBoxRole = ""; }
        if (!box.hasAttribute("aria-label") && !box.hasAttribute("aria-labelledby")) {
          box.setAttribute("aria-label", boxLabel(box));
          box.dataset.tableBoxLabel = "";
        }
      } else if (!scrolls && box.hasAttribute("tabindex")) {
        box.removeAttribute("tabindex");
        if ("tableBoxRole" in box.dataset) { box.removeAttribute("role"); delete box.dataset.tableBoxRole; }
        if ("tableBoxLabel" in box.dataset) { box.removeAttribute("aria-label"); delete box.dataset.tableBoxLabel; }
      }
    });
  };
  fitTables(document);
  document.addEventListener("htmx:afterSettle", () => fitTables(document));
  let resizeTimer = 0;
  window.addEventListener("resize", () => {
    window.clearTimeout(resizeTimer);
    resizeTimer = window.setTimeout(() => fitTables(document), 150);
  });
})();
