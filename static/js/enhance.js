// Small enhancements of forms and long pages (issue 14). Every page works without this file: the server
// accepts "500000" and "500,000" alike, the name's maximum is the input's own maxlength, and the result's
// sections and menus are <details> that open without scripts.
(function () {
  var MONTHS = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"];
  // The digits of a whole number as people type it (commas, spaces or underscores between thousands).
  var WHOLE = /^\s*\d[\d,\s_]*$/;
  var GROUP_FROM = 1000;  // below this a number reads the same with or without separators

  // "500000" -> "500,000", shown beside the field while the user types; what they typed stays as typed.
  function grouped(text) {
    if (!WHOLE.test(text)) return "";
    var digits = text.replace(/[^\d]/g, "");
    if (digits.length > 15 || Number(digits) < GROUP_FROM) return "";
    return Number(digits).toLocaleString("en-US");
  }
  function echoFor(input) {
    var id = input.id + "-grouped";
    var echo = document.getElementById(id);
    if (!echo) {
      echo = document.createElement("small");
      echo.id = id;
      echo.className = "number-echo";
      echo.setAttribute("aria-hidden", "true");  // a screen reader reads the number itself already
      var holder = input.closest(".number-input") || input;
      holder.insertAdjacentElement("afterend", echo);
    }
    return echo;
  }
  function showGrouping(input) {
    var text = grouped(input.value);
    var echo = document.getElementById(input.id + "-grouped");
    if (!text && !echo) return;
    echo = echoFor(input);
    echo.textContent = text && text !== input.value.trim() ? "Reads as " + text : "";
  }

  function countName(input) {
    var counter = document.getElementById(input.getAttribute("data-counter"));
    if (!counter) return;
    var max = Number(input.getAttribute("maxlength"));
    var used = input.value.length;
    counter.textContent = used + " of " + max + " characters";
    counter.classList.toggle("over", used >= max);
  }

  // The expiry picker shows the browser's own date format; the words beside it use the app's ("6 Dec 2026").
  function dateWords(input) {
    var target = document.getElementById(input.getAttribute("data-date-words"));
    if (!target) return;
    var parts = /^(\d{4})-(\d{2})-(\d{2})$/.exec(input.value);
    target.textContent = parts
      ? "Works until " + Number(parts[3]) + " " + MONTHS[Number(parts[2]) - 1] + " " + parts[1]
      : "No expiry";
  }

  // A number whose 0 is surprising ("0 weeks" to launch) asks what the 0 means while it is typed.
  function askAboutZero(input) {
    var question = document.querySelector("[data-zero-for='" + input.id + "']");
    if (question) question.hidden = input.value.trim() !== "0";
  }

  function openFoldOf(element) {
    var fold = element && element.closest("details.fold");
    if (fold && !fold.open) fold.open = true;
  }

  function setUp(root) {
    root.querySelectorAll("input[inputmode=numeric]").forEach(showGrouping);
    root.querySelectorAll("input[data-counter]").forEach(countName);
    root.querySelectorAll("input[data-date-words]").forEach(dateWords);
  }

  document.addEventListener("input", function (event) {
    var input = event.target;
    if (!input.matches) return;
    if (input.matches("input[inputmode=numeric]")) {
      showGrouping(input);
      askAboutZero(input);
    }
    if (input.matches("input[data-counter]")) countName(input);
  });
  document.addEventListener("change", function (event) {
    if (event.target.matches && event.target.matches("input[data-date-words]")) dateWords(event.target);
  });
  // A link in the table of contents opens the section it points to (on a phone sections start folded).
  document.addEventListener("click", function (event) {
    var link = event.target.closest && event.target.closest("a[href^='#']");
    if (!link) return;
    openFoldOf(document.getElementById(link.getAttribute("href").slice(1)));
  });
  document.addEventListener("DOMContentLoaded", function () {
    setUp(document);
    if (location.hash) openFoldOf(document.getElementById(location.hash.slice(1)));
  });
  document.addEventListener("htmx:afterSettle", function (event) { setUp(event.detail.target); });
})();
