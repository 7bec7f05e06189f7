// Starts Swagger UI on /docs from a file: the Content-Security-Policy allows no inline script.
// No validator badge (it would call an outside service) and no "Try it out" token is remembered.
(function () {
  "use strict";
  var root = document.getElementById("swagger-ui");
  window.SwaggerUIBundle({
    url: root.getAttribute("data-openapi-url"),
    domNode: root,
    validatorUrl: null,
    deepLinking: false,
    persistAuthorization: false,
  });
})();
