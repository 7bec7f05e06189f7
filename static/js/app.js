// Progressive enhancement only: every page works without this file.

// Marks that scripts run, so CSS can hide questions whose show-if condition is not met yet:
// with htmx the server re-renders the step when an answer changes; without scripts they stay visible.
document.documentElement.classList.add("js");

// After htmx swaps a whole page's content (the next wizard step, an error, a conflict), move the
// focus to its error summary or heading, so keyboard and screen-reader users start at the top.
document.addEventListener("htmx:afterSettle", function (event) {
  if (event.detail.target.id !== "main") return;
  var start = document.querySelector("#main .error-summary, #main h1");  // the first in the page
  if (!start) return;
  if (!start.hasAttribute("tabindex")) start.setAttribute("tabindex", "-1");
  start.focus({ preventScroll: true });
});

// A changed answer asks the server which of the questions depending on it now show (show-if). Only
// their visibility is taken from the answer: swapping the fields themselves would wipe what the user
// typed or clicked in them while the request was on its way.
document.addEventListener("htmx:beforeSwap", function (event) {
  // detail.elt is the swap target here (htmx sets it to the element the event fires on); the
  // element that asked is in requestConfig.
  var source = event.detail.requestConfig && event.detail.requestConfig.elt;
  if (!source || !source.hasAttribute("data-show-if-for")) return;
  event.detail.shouldSwap = false;
  if (event.detail.xhr.status !== 200) return;
  var fresh = new DOMParser().parseFromString(event.detail.serverResponse, "text/html");
  source.getAttribute("data-show-if-for").split(" ").forEach(function (id) {
    var shown = document.getElementById("field-" + id);
    var next = fresh.getElementById("field-" + id);
    if (shown && next) shown.classList.toggle("show-if-pending", next.classList.contains("show-if-pending"));
  });
});
