// The fiche de situation: its print button (no inline script: the service's CSP forbids it).
(function () {
  "use strict";
  var b = document.getElementById("print-button");
  if (b) { b.addEventListener("click", function () { window.print(); }); }
})();
