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

// Autosave that survives a lost connection (R23). A change marks the step unsaved until an autosave of
// it succeeds; while unsaved, leaving the page asks first. An autosave that fails (no connection, or the
// server answering 5xx) says so in the save state and is sent again: after 2, 4, 8 ... up to 30 s, and at
// once when the browser comes back online. Pressing a step's own buttons saves everything: no warning.
(function () {
  var unsaved = false;
  var retryDelay = 0;
  var retryTimer = null;
  var MAX_RETRY_MS = 30000;

  function autosaver(elt) {
    return elt && elt.getAttribute && elt.getAttribute("hx-vals") === '{"action": "autosave"}' ? elt : null;
  }
  function wizardForm() {
    return document.querySelector("form.wizard-form");
  }
  function showState(text) {
    var state = document.getElementById("save-state");
    if (!state) return;
    state.textContent = "";
    var strong = document.createElement("strong");
    strong.textContent = "Not saved yet: ";
    state.appendChild(strong);
    state.appendChild(document.createTextNode(text));
    state.setAttribute("data-save", "offline");
  }
  function saveAgain() {
    retryTimer = null;
    var form = wizardForm();
    if (form && unsaved) htmx.trigger(form, "change");
  }
  function scheduleRetry() {
    if (retryTimer) return;
    retryDelay = Math.min(retryDelay ? retryDelay * 2 : 2000, MAX_RETRY_MS);
    showState(navigator.onLine === false
      ? "you are offline. Your answers stay on this page and are saved when the connection is back."
      : "the connection failed. Trying again in " + Math.round(retryDelay / 1000) + " s; keep this page open.");
    retryTimer = setTimeout(saveAgain, retryDelay);
  }

  document.addEventListener("change", function (event) {
    if (event.target.closest && event.target.closest("form.wizard-form")) unsaved = true;
  });
  document.addEventListener("input", function (event) {
    if (event.target.closest && event.target.closest("form.wizard-form")) unsaved = true;
  });
  document.addEventListener("submit", function () { unsaved = false; });
  document.addEventListener("htmx:beforeRequest", function (event) {
    if (!autosaver(event.detail.elt) && event.detail.elt === wizardForm()) unsaved = false;  // a step button
  });
  document.addEventListener("htmx:afterRequest", function (event) {
    if (!autosaver(event.detail.elt)) return;
    var status = event.detail.xhr ? event.detail.xhr.status : 0;
    if (event.detail.successful) {
      unsaved = false;
      retryDelay = 0;
    } else if (status === 0 || status >= 500) {
      scheduleRetry();
    }
  });
  document.addEventListener("htmx:sendError", function (event) {
    if (autosaver(event.detail.elt)) scheduleRetry();
  });
  window.addEventListener("online", function () {
    if (!unsaved) return;
    if (retryTimer) clearTimeout(retryTimer);
    saveAgain();
  });
  window.addEventListener("offline", function () {
    if (unsaved && wizardForm()) scheduleRetry();
  });
  window.addEventListener("beforeunload", function (event) {
    if (!unsaved) return;
    event.preventDefault();
    event.returnValue = "";  // older browsers need a value to show their own "leave page?" question
  });
})();
