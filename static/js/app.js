// Shared behaviour; no inline scripts anywhere (Content-Security-Policy).
document.addEventListener("htmx:configRequest", (event) => {
  const token = document.querySelector("input[name=csrfmiddlewaretoken]");
  if (token) event.detail.headers["X-CSRFToken"] = token.value;
  // A board refreshing itself (hx-trigger="every ...") is not the user's activity:
  // it must not keep an unattended reception tablet's session alive.
  if (!event.detail.triggeringEvent) event.detail.headers["X-Background-Refresh"] = "1";
});
