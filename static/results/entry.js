/* Entry form keyboard help: Enter in a figure moves to the next field instead of submitting
   (finishing is always an explicit button); the content of a figure is selected on focus. */
(function () {
  "use strict";
  var form = document.getElementById("entry-form") || document.getElementById("correct-form");
  if (!form) { return; }
  var inputs = Array.prototype.slice.call(form.querySelectorAll("input[inputmode=numeric]"));
  inputs.forEach(function (input, index) {
    input.addEventListener("focus", function () { input.select(); });
    input.addEventListener("keydown", function (event) {
      if (event.key !== "Enter") { return; }
      event.preventDefault();
      var next = inputs[index + 1] || form.querySelector("button[type=submit]");
      if (next) { next.focus(); }
    });
  });
}());
