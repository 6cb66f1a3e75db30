// Swagger UI for /docs, served by phare itself (files of the package fastapi-offline): no CDN, no validator call.
window.addEventListener("load", function () {
  "use strict";
  window.ui = SwaggerUIBundle({ url: "/openapi.json", dom_id: "#swagger-ui", deepLinking: true, validatorUrl: null });
});
