/* The event editor's web address: made from the title while the organiser has not written one,
   and checked as it changes (free, taken, malformed) by /organiser/events/slug-check. */
(function () {
  "use strict";
  var slug = document.querySelector("input[data-slug-check]");
  if (!slug || !window.fetch) { return; }
  var status = document.getElementById(slug.id + "-status");
  var endpoint = slug.getAttribute("data-slug-check");
  var current = slug.getAttribute("data-event") || "";
  var lang = document.documentElement.lang;
  var title = document.getElementById(lang + "-title") || document.querySelector("input[id$='-title']");
  var typedByHand = slug.value !== "";
  var timer = null;

  function ask(params) {
    params.event = current;
    var query = Object.keys(params).map(function (key) {
      return encodeURIComponent(key) + "=" + encodeURIComponent(params[key]);
    }).join("&");
    return fetch(endpoint + "?" + query, { credentials: "same-origin", headers: { Accept: "application/json" } })
      .then(function (response) { return response.ok ? response.json() : null; });
  }

  function show(answer) {
    if (!answer || !status) { return; }
    status.textContent = answer.message;
    status.classList.toggle("slug-taken", !answer.available);
  }

  function later(callback) {
    window.clearTimeout(timer);
    timer = window.setTimeout(callback, 300);
  }

  if (title) {
    title.addEventListener("input", function () {
      if (typedByHand) { return; }
      later(function () {
        ask({ title: title.value }).then(function (answer) {
          if (answer && !typedByHand) { slug.value = answer.slug; show(answer); }
        });
      });
    });
  }
  slug.addEventListener("input", function () {
    typedByHand = slug.value !== "";
    later(function () { ask({ slug: slug.value }).then(show); });
  });
}());
