// Signature pad: draw with a finger, stylus or mouse; the PNG is posted as a data URL.
// Set up on the page's load and again when htmx swaps the signature step in (htmx.onLoad runs for both).
function setUpSignaturePad(canvas) {
  if (canvas.dataset.ready) return;
  canvas.dataset.ready = "1";
  const form = document.getElementById("signature-form");
  const field = document.getElementById("id_signature");
  const pen = canvas.getContext("2d");
  pen.lineWidth = 2.5; pen.lineCap = "round"; pen.lineJoin = "round"; pen.strokeStyle = "#111";
  canvas.style.touchAction = "none";
  let drawing = false, drawn = false;

  function at(event) {
    const box = canvas.getBoundingClientRect();
    return [(event.clientX - box.left) * (canvas.width / box.width), (event.clientY - box.top) * (canvas.height / box.height)];
  }
  canvas.addEventListener("pointerdown", (event) => {
    drawing = true; canvas.setPointerCapture(event.pointerId);
    const [x, y] = at(event); pen.beginPath(); pen.moveTo(x, y);
  });
  canvas.addEventListener("pointermove", (event) => {
    if (!drawing) return;
    const [x, y] = at(event); pen.lineTo(x, y); pen.stroke(); drawn = true;
  });
  ["pointerup", "pointercancel", "pointerleave"].forEach((name) => canvas.addEventListener(name, () => { drawing = false; }));
  document.getElementById("signature-clear").addEventListener("click", () => {
    pen.clearRect(0, 0, canvas.width, canvas.height); drawn = false; field.value = "";
  });
  form.addEventListener("submit", () => { field.value = drawn ? canvas.toDataURL("image/png") : ""; });
}

htmx.onLoad((root) => {
  root.querySelectorAll("#signature-pad").forEach(setUpSignaturePad);
});
