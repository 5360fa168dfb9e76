/* Start Swagger UI on the service's own OpenAPI schema (no inline script: CSP). */
window.addEventListener("load", function () {
  var node = document.getElementById("swagger-ui");
  window.ui = SwaggerUIBundle({url: node.getAttribute("data-openapi"), dom_id: "#swagger-ui"});
});
