/* The "Print" button of printable pages: shown only where a script can print. */
(function () {
  "use strict";
  var button = document.getElementById("print-questions");
  if (!button || !window.print) { return; }
  button.hidden = false;
  button.addEventListener("click", function () { window.print(); });
}());
