// Copy buttons for share links. Without JavaScript the links stay in plain, selectable text fields.
(function () {
  "use strict";

  function statusFor(button) {
    var row = button.closest(".copy-row");
    var next = row && row.nextElementSibling;
    return next && next.classList.contains("copy-status") ? next : null;
  }

  function copy(button) {
    var field = document.getElementById(button.getAttribute("data-copy-from"));
    var status = statusFor(button);
    if (!field) return;
    field.select();
    var done = function () { if (status) status.textContent = "Copied to the clipboard."; };
    var failed = function () { if (status) status.textContent = "Press Ctrl+C (or ⌘C) to copy the selected link."; };
    if (navigator.clipboard && window.isSecureContext) {
      navigator.clipboard.writeText(field.value).then(done, failed);
    } else {
      failed();
    }
  }

  function enable(root) {
    root.querySelectorAll("button[data-copy-from]").forEach(function (button) {
      button.hidden = false;
    });
  }

  document.addEventListener("click", function (event) {
    var button = event.target.closest("button[data-copy-from]");
    if (button) copy(button);
  });
  document.addEventListener("DOMContentLoaded", function () { enable(document); });
  document.addEventListener("htmx:afterSettle", function (event) { enable(event.target); });
})();
