// Progressive help for the registration form's conditional questions (issue 16): a block
// with data-show-if="q-role" data-show-if-in="teacher" is shown only while one of the named
// options of that question is chosen; its inputs are disabled while hidden, so nothing is
// posted for it. Without this script every question shows; the server checks conditions.
(function () {
  "use strict";
  var form = document.querySelector(".registration-form, [data-questions-form]");
  if (!form) return;
  var blocks = form.querySelectorAll("[data-show-if]");
  if (!blocks.length) return;

  function chosen(name) {
    var keys = [];
    form.querySelectorAll('[name="' + name + '"]').forEach(function (input) {
      if (input.disabled) return;
      if (input.type === "radio" || input.type === "checkbox") {
        if (input.checked) keys.push(input.value);
      } else if (input.value) {
        keys.push(input.value);
      }
    });
    return keys;
  }

  function update() {
    blocks.forEach(function (block) {
      var wanted = block.getAttribute("data-show-if-in").split(" ");
      var shown = chosen(block.getAttribute("data-show-if")).some(function (key) {
        return wanted.indexOf(key) !== -1;
      });
      block.hidden = !shown;
      block.querySelectorAll("input, select, textarea").forEach(function (input) {
        input.disabled = !shown || input.hasAttribute("data-full");
      });
    });
  }

  form.querySelectorAll("[data-show-if] input[disabled]").forEach(function (input) { input.setAttribute("data-full", ""); });
  form.addEventListener("change", update);
  update();
  update(); // a second pass settles conditions that depend on conditional questions
})();
