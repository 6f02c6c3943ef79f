// The pages' own script (served from 'self'; no inline script is allowed by the CSP).
// After HTMX swaps in a partial, move keyboard focus to the first element the partial
// marks with data-focus, so keyboard users carry on where the new content starts.
document.addEventListener("htmx:afterSettle", function (event) {
  var target = event.detail.elt.querySelector("[data-focus]") ||
    (event.detail.elt.matches && event.detail.elt.matches("[data-focus]") ? event.detail.elt : null);
  if (target) { target.focus(); }
});
// A form marked data-confirm asks before it submits (making a disclosure is not undone).
document.addEventListener("submit", function (event) {
  var message = event.target.getAttribute && event.target.getAttribute("data-confirm");
  if (message && !window.confirm(message)) { event.preventDefault(); }
});
