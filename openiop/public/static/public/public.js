// SPDX-License-Identifier: AGPL-3.0-or-later
// Self-check: show the 988/911 guidance the moment a safety question is
// answered "yes" or "not sure", before the form is sent. Without script the
// same guidance heads the result page.
document.addEventListener("change", (event) => {
  const input = event.target;
  const row = input.closest && input.closest("[data-safety]");
  if (!row) return;
  const alertBox = document.querySelector(`[data-safety-alert="${row.dataset.safety}"]`);
  if (!alertBox) return;
  const risky = input.value === "yes" || input.value === "unsure";
  alertBox.hidden = !risky;
  if (risky) alertBox.setAttribute("role", "alert"); else alertBox.removeAttribute("role");
});
