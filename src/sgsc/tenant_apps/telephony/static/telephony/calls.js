// The call on the operator's line: the fragment is polled every 5 s (hx-trigger) only while
// the page is visible, and asked again at once when the page comes back into view. A file of
// its own, since the content security policy forbids inline scripts (and htmx's trigger
// filters, which need eval).
(() => {
  "use strict";
  document.addEventListener("htmx:beforeRequest", (event) => {
    const source = event.detail && event.detail.elt;
    if (document.hidden && source instanceof Element && source.matches("[data-call-poll]")) {
      event.preventDefault();
    }
  });
  document.addEventListener("visibilitychange", () => {
    if (document.hidden || typeof htmx === "undefined") return;
    document.querySelectorAll("[data-call-poll]").forEach((slot) => htmx.trigger(slot, "call-poll"));
  });
})();
