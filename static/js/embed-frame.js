/* Inside an embed frame (/embed/…): posts the page's height to the embedding page, which
   static/embed.js uses to size the frame. Sent only to an origin the admin allows
   (EMBED_ALLOWED_ORIGINS, on <body data-embed-origins>), named as the browser addresses it:
   postMessage's target origin means no other page ever receives it. */
(function () {
  "use strict";
  if (window.parent === window) { return; }
  var allowed = (document.body.getAttribute("data-embed-origins") || "").split(" ").filter(Boolean);
  var candidates = [];
  if (window.location.ancestorOrigins && window.location.ancestorOrigins.length) {
    candidates.push(window.location.ancestorOrigins[0]);
  }
  if (window.name.indexOf("eventsvc:") === 0) { candidates.push(window.name.slice(9)); }
  try { candidates.push(new URL(document.referrer).origin); } catch (e) { /* no referrer */ }
  var target = null;
  candidates.some(function (origin) {
    if (allowed.indexOf(origin) !== -1) { target = origin; return true; }
    return false;
  });
  if (target === null) { return; }
  var last = 0;
  function send() {
    var height = Math.ceil(document.body.getBoundingClientRect().height);
    if (height === last) { return; }
    last = height;
    window.parent.postMessage({ type: "eventsvc:resize", height: height }, target);
  }
  if (window.ResizeObserver) { new ResizeObserver(send).observe(document.body); }
  window.addEventListener("load", send);
  send();
}());
