/* The form builder (organiser/questions_builder.html), where scripts run: questions are moved by
   dragging their handle (the hidden "position" inputs follow the new order, read when the form
   is posted; the Move up/down buttons still work), and a condition shows only the options of
   the question it names. Without this file every part of the page works by posting the form. */
(function () {
  "use strict";
  var list = document.getElementById("question-cards");
  if (!list) { return; }

  function cards() {
    return Array.prototype.slice.call(list.querySelectorAll("[data-question]"));
  }

  function renumber() {
    cards().forEach(function (card, index) {
      var position = card.querySelector("[data-position]");
      if (position) { position.value = String(index); }
      var number = card.querySelector("[data-number]");
      if (number) { number.textContent = String(index + 1); }
    });
  }

  var dragged = null;
  cards().forEach(function (card) {
    var handle = card.querySelector("[data-drag-handle]");
    if (!handle) { return; }
    handle.hidden = false;
    handle.draggable = true;
    handle.addEventListener("dragstart", function (event) {
      dragged = card;
      card.classList.add("is-dragged");
      event.dataTransfer.effectAllowed = "move";
      event.dataTransfer.setData("text/plain", card.id);
      if (event.dataTransfer.setDragImage) { event.dataTransfer.setDragImage(card, 20, 20); }
    });
    handle.addEventListener("dragend", function () {
      card.classList.remove("is-dragged");
      dragged = null;
      renumber();
    });
    card.addEventListener("dragover", function (event) {
      if (!dragged || dragged === card) { return; }
      event.preventDefault();
      var box = card.getBoundingClientRect();
      var after = event.clientY > box.top + box.height / 2;
      list.insertBefore(dragged, after ? card.nextSibling : card);
    });
    card.addEventListener("drop", function (event) {
      event.preventDefault();
      renumber();
    });
  });

  Array.prototype.forEach.call(document.querySelectorAll("[data-show-if]"), function (box) {
    var select = box.querySelector("[data-show-if-question]");
    if (!select) { return; }
    var groups = box.querySelectorAll("[data-show-if-group]");
    function show() {
      Array.prototype.forEach.call(groups, function (group) {
        group.hidden = group.getAttribute("data-show-if-group") !== select.value;
      });
    }
    select.addEventListener("change", show);
    show();
  });
})();
