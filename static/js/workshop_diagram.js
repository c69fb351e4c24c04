// Walk-around damage diagram: choose a damage type, tap a view to place a mark.
// Marks are kept as JSON in the form's hidden "marks" field: view, x and y from 0 to 1, kind, note.
// Set up on the page's load and again whenever htmx swaps a check-in step in (htmx.onLoad runs for both).
function setUpDamageDiagram(diagram) {
  if (diagram.dataset.ready) return;
  diagram.dataset.ready = "1";
  const input = document.getElementById(diagram.dataset.marksInput);
  const list = document.getElementById("marks-list");
  const note = document.getElementById("mark-note");
  const SVG = "http://www.w3.org/2000/svg";
  const colours = {};
  document.querySelectorAll("input[name=mark-kind]").forEach((radio) => {
    const swatch = radio.parentElement.querySelector(".mark-swatch");
    colours[radio.value] = swatch ? swatch.dataset.colour : "#d63384";
    if (swatch) swatch.style.cssText = `display:inline-block;width:.8em;height:.8em;border-radius:50%;margin-right:.3em;background:${colours[radio.value]}`;
  });
  const kindLabels = Object.fromEntries(
    (list.dataset.kindLabels || "").split(";").filter(Boolean).map((pair) => pair.split("="))
  );
  let marks = [];
  try { marks = JSON.parse(input.value || "[]"); } catch (error) { marks = []; }

  function draw() {
    diagram.querySelectorAll("svg[data-view]").forEach((svg) => {
      const group = svg.querySelector("g.marks");
      group.replaceChildren();
      marks.forEach((mark, index) => {
        if (mark.view !== svg.dataset.view) return;
        const item = document.createElementNS(SVG, "g");
        item.setAttribute("class", "mark"); item.dataset.kind = mark.kind;
        const dot = document.createElementNS(SVG, "circle");
        dot.setAttribute("cx", mark.x * 200); dot.setAttribute("cy", mark.y * 100); dot.setAttribute("r", 6);
        dot.setAttribute("fill", colours[mark.kind] || "#d63384");
        const label = document.createElementNS(SVG, "text");
        label.setAttribute("x", mark.x * 200); label.setAttribute("y", mark.y * 100); label.setAttribute("dy", 3);
        label.setAttribute("text-anchor", "middle"); label.setAttribute("font-size", 8); label.setAttribute("fill", "#fff");
        label.textContent = index + 1;
        item.append(dot, label);
        group.append(item);
      });
    });
    list.replaceChildren(...marks.map((mark, index) => {
      const item = document.createElement("li");
      item.textContent = `${kindLabels[mark.kind] || mark.kind}${mark.note ? ": " + mark.note : ""} `;
      const remove = document.createElement("button");
      remove.type = "button"; remove.className = "btn btn-link btn-sm p-0"; remove.textContent = list.dataset.removeLabel;
      remove.addEventListener("click", () => { marks.splice(index, 1); save(); });
      item.append(remove);
      return item;
    }));
  }

  function save() { input.value = JSON.stringify(marks); draw(); }

  diagram.querySelectorAll("svg[data-view]").forEach((svg) => {
    svg.style.cursor = "crosshair";
    svg.style.touchAction = "manipulation";
    svg.addEventListener("click", (event) => {
      const point = svg.createSVGPoint();
      point.x = event.clientX; point.y = event.clientY;
      const local = point.matrixTransform(svg.getScreenCTM().inverse());
      const x = Math.min(1, Math.max(0, local.x / 200)), y = Math.min(1, Math.max(0, local.y / 100));
      const kind = (document.querySelector("input[name=mark-kind]:checked") || {}).value || "scratch";
      marks.push({ view: svg.dataset.view, x: Math.round(x * 10000) / 10000, y: Math.round(y * 10000) / 10000, kind, note: note.value.trim() });
      note.value = "";
      save();
    });
  });
  draw();
}

htmx.onLoad((root) => {
  root.querySelectorAll(".damage-diagram[data-interactive]").forEach(setUpDamageDiagram);
});
