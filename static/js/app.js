// Shared behaviour; no inline scripts anywhere (Content-Security-Policy).
document.addEventListener("htmx:configRequest", (event) => {
  const token = document.querySelector("input[name=csrfmiddlewaretoken]");
  if (token) event.detail.headers["X-CSRFToken"] = token.value;
  // A board refreshing itself (data-hx-trigger="every ...") is not the user's activity:
  // it must not keep an unattended reception tablet's session alive.
  if (!event.detail.triggeringEvent) event.detail.headers["X-Background-Refresh"] = "1";
});

// htmx leaves error answers out of the page; a request refused as too large (413) carries a message
// in the user's language, which the server retargets to the page's #request-error box: show it.
document.addEventListener("htmx:beforeSwap", (event) => {
  if (event.detail.xhr.status === 413) {
    event.detail.shouldSwap = true;
    event.detail.isError = false;
  }
  // A form marked data-swap-invalid gets its refusal (400) back as a fragment with the errors: show it in place.
  // (detail.elt is the target of the swap; the form that sent the request is requestConfig.elt.)
  if (event.detail.xhr.status === 400 && event.detail.requestConfig.elt.closest("[data-swap-invalid]")) {
    event.detail.shouldSwap = true;
    event.detail.isError = false;
  }
});
// The next request that goes through clears the message.
document.addEventListener("htmx:afterRequest", (event) => {
  const box = document.getElementById("request-error");
  if (box && event.detail.xhr.status < 400) box.replaceChildren();
});

// A file input with data-max-bytes refuses a larger file before anything is sent, with the
// message of its data-too-large attribute (in the user's language), shown below the input.
function checkFileSize(input) {
  const tooLarge = Array.from(input.files || []).some((file) => file.size > Number(input.dataset.maxBytes));
  input.setCustomValidity(tooLarge ? input.dataset.tooLarge : "");
  input.classList.toggle("is-invalid", tooLarge);
  let feedback = input.parentElement.querySelector(".file-too-large");
  if (tooLarge && !feedback) {
    feedback = document.createElement("div");
    feedback.className = "invalid-feedback d-block file-too-large";
    feedback.setAttribute("role", "alert");
    input.insertAdjacentElement("afterend", feedback);
  }
  if (feedback) feedback.textContent = tooLarge ? input.dataset.tooLarge : "";
  return !tooLarge;
}

document.addEventListener("change", (event) => {
  if (event.target.matches("input[type=file][data-max-bytes]")) checkFileSize(event.target);
});

// htmx sends a form from its own submit handler, before the document's: refuse the oversized file there too.
document.addEventListener("htmx:beforeRequest", (event) => {
  for (const input of event.detail.elt.querySelectorAll("input[type=file][data-max-bytes]")) {
    if (!checkFileSize(input)) {
      event.preventDefault();
      input.focus();
      return;
    }
  }
});

document.addEventListener("submit", (event) => {
  for (const input of event.target.querySelectorAll("input[type=file][data-max-bytes]")) {
    if (!checkFileSize(input)) {
      event.preventDefault();
      input.focus();
      return;
    }
  }
});
