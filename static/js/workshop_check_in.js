// A check-in screen swapped in by htmx (a step, the jobs of the findings step): the first field in error takes the
// focus, else the element marked data-swap-focus (the step's heading, the "job added" message), so that a screen
// reader says where the advisor now is. The page title changes with the step (htmx reads the answer's <title>).
document.addEventListener("htmx:afterSettle", (event) => {
  const area = event.detail.target;
  if (!area || !area.isConnected || !area.matches("#check-in, #jobs-section")) return;
  const focus = area.querySelector("[aria-invalid=true], .is-invalid") || area.querySelector("[data-swap-focus]");
  if (focus) focus.focus();
});
