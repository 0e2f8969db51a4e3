/* eventsvc embed: one line on any page inserts an event's registration (or the upcoming events)
   in a frame sized to its content.

     <script src="https://events.example.org/static/embed.js" data-event="SLUG" data-lang="fr" async></script>

   Without data-event: the list of upcoming events; with data-subscribe (and no data-event):
   the form to hear of new events. The frame's messages are read only from the
   frame itself and from the origin this script came from; it sends nothing back. A plain
   <iframe src="https://events.example.org/embed/fr/events/SLUG"> works too, at a fixed height.
   See docs/embedding.md. */
(function () {
  "use strict";
  var script = document.currentScript;
  if (!script || !script.src) { return; }
  var source = new URL(script.src);
  var origin = source.origin;
  var root = origin + source.pathname.replace(/\/static\/embed\.js$/, "");
  var lang = script.getAttribute("data-lang") || (document.documentElement.lang || "en").slice(0, 2);
  var slug = script.getAttribute("data-event");
  var path = "/embed/" + encodeURIComponent(lang) + (
    script.hasAttribute("data-subscribe") ? "/subscribe"
      : "/events" + (slug ? "/" + encodeURIComponent(slug) : ""));
  var frame = document.createElement("iframe");
  frame.src = root + path;
  frame.name = "eventsvc:" + window.location.origin;
  frame.title = script.getAttribute("data-title") || (slug ? "Registration" : "Events");
  frame.className = "eventsvc-embed";
  frame.style.width = "100%";
  frame.style.maxWidth = "48rem";
  frame.style.height = "40rem";
  frame.style.border = "0";
  script.parentNode.insertBefore(frame, script.nextSibling);
  window.addEventListener("message", function (event) {
    if (event.origin !== origin || event.source !== frame.contentWindow) { return; }
    var data = event.data;
    if (!data || data.type !== "eventsvc:resize" || typeof data.height !== "number") { return; }
    frame.style.height = Math.max(80, Math.min(Math.ceil(data.height), 20000)) + "px";
  });
}());
