// The pages' own script (served from 'self'; no inline script is allowed by the CSP).
// After HTMX swaps in a partial, keep keyboard users where the new content starts: the
// element the partial marks data-focus, or, after a cohort review decision (a partial
// marked data-focus-next), the first choice of the next person without a decision.
document.addEventListener("htmx:afterSettle", function (event) {
  var elt = event.detail.elt;
  var target = elt.querySelector("[data-focus]") ||
    (elt.matches && elt.matches("[data-focus]") ? elt : null);
  if (!target && elt.matches && elt.matches("[data-focus-next]")) {
    target = document.querySelector(".review-line:not(.decided) input[type=radio]:checked") ||
      document.querySelector(".review-line:not(.decided) input[type=radio]");
  }
  if (target) { target.focus(); }
});
// A form marked data-confirm asks before it submits (making a disclosure is not undone).
document.addEventListener("submit", function (event) {
  var message = event.target.getAttribute && event.target.getAttribute("data-confirm");
  if (message && !window.confirm(message)) { event.preventDefault(); }
});
