// SPDX-License-Identifier: AGPL-3.0-or-later
// The drawn signature: a <canvas data-signature-pad> inside a form; strokes by
// mouse, pen or finger; on submit the drawing goes as a PNG data URL into the
// form's hidden [data-signature-value] field. Without script the pad stays
// hidden and the form offers the upload of the signed paper form instead.
(function () {
  "use strict";
  document.querySelectorAll("[data-signature-pad]").forEach((canvas) => {
    const form = canvas.closest("form");
    const field = form ? form.querySelector("[data-signature-value]") : null;
    const wrap = canvas.closest(".signature-pad-wrap");
    if (!form || !field || !(canvas instanceof HTMLCanvasElement)) { return; }
    if (wrap) { wrap.hidden = false; }
    const context = canvas.getContext("2d");
    let drawn = false;
    let drawing = false;
    const resize = () => {
      const box = canvas.getBoundingClientRect();
      canvas.width = Math.max(300, Math.round(box.width));
      canvas.height = Math.max(120, Math.round(box.height));
      context.lineWidth = 2.5;
      context.lineCap = "round";
      context.lineJoin = "round";
      context.strokeStyle = "#111";
      drawn = false;
    };
    resize();
    const point = (event) => {
      const box = canvas.getBoundingClientRect();
      return [(event.clientX - box.left) * (canvas.width / box.width), (event.clientY - box.top) * (canvas.height / box.height)];
    };
    canvas.addEventListener("pointerdown", (event) => {
      drawing = true;
      canvas.setPointerCapture(event.pointerId);
      const [x, y] = point(event);
      context.beginPath();
      context.moveTo(x, y);
      event.preventDefault();
    });
    canvas.addEventListener("pointermove", (event) => {
      if (!drawing) { return; }
      const [x, y] = point(event);
      context.lineTo(x, y);
      context.stroke();
      drawn = true;
      event.preventDefault();
    });
    const stop = () => { drawing = false; };
    canvas.addEventListener("pointerup", stop);
    canvas.addEventListener("pointercancel", stop);
    form.querySelectorAll("[data-signature-clear]").forEach((button) => {
      button.hidden = false;
      button.addEventListener("click", () => {
        context.clearRect(0, 0, canvas.width, canvas.height);
        drawn = false;
        field.value = "";
      });
    });
    form.addEventListener("submit", () => {
      field.value = drawn ? canvas.toDataURL("image/png") : "";
    });
  });
})();
