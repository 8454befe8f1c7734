// SPDX-License-Identifier: AGPL-3.0-or-later
// Loaded just before FullCalendar 6, which puts its stylesheet in a <style
// data-fullcalendar> element that it looks up first and creates only if none
// is found. Our Content-Security-Policy rightly refuses inline <style>, so
// that one lookup is answered with a constructable stylesheet (CSSOM, which
// the policy does not govern) adopted by the document. Its icon font is a
// data: URL the policy also refuses; the calendar shows no icon buttons, so
// that one rule is left out.
(function () {
  "use strict";
  if (!("adoptedStyleSheets" in document) || typeof CSSStyleSheet !== "function") return;
  var sheet = new CSSStyleSheet();
  document.adoptedStyleSheets = document.adoptedStyleSheets.concat([sheet]);
  var holder = {
    isConnected: true,
    sheet: {
      get cssRules() { return sheet.cssRules; },
      insertRule: function (rule) {
        if (/^\s*@font-face/.test(rule)) return 0;
        return sheet.insertRule(rule, sheet.cssRules.length);
      }
    }
  };
  var lookUp = document.querySelector;
  document.querySelector = function (selector) {
    if (selector === "style[data-fullcalendar]") return holder;
    return lookUp.apply(this, arguments);
  };
})();
