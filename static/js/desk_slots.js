// The booking desk: the live panel's proposals (radios named "proposal", their own group so that Tab reaches them)
// and the week's free slots (radios named "slot") are one choice. Picking a time in one group checks the same time
// in the other, or clears it. Listening in the capture phase syncs both before htmx reads the form for the live panel.
document.addEventListener(
  "change",
  (event) => {
    const input = event.target;
    if (!input.matches("#booking-form input[type=radio][name=proposal], #booking-form input[type=radio][name=slot]")) return;
    const other = input.name === "proposal" ? "slot" : "proposal";
    for (const radio of input.form.querySelectorAll(`input[type=radio][name=${other}]`)) {
      radio.checked = radio.value === input.value;
    }
  },
  true,
);
