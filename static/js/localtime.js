/*
 * Shows the visitor's own time beside an event's time. Progressive: the page already states the
 * time in the event's zone; this only adds "Your time: …" for <time data-localtime> elements.
 *
 *   <time datetime="2026-12-06T12:30:00Z" data-localtime data-end="2026-12-06T13:30:00Z"
 *         data-template="Your time: {time}">…</time>
 *   <span data-localtime-output hidden></span>   (the next one after the <time>)
 */
(function () {
  "use strict";

  var DATE_OPTIONS = { weekday: "long", day: "numeric", month: "long", year: "numeric" };
  var TIME_OPTIONS = { hour: "numeric", minute: "2-digit" };

  /* A 24-hour locale pads hours ("07:30"); without this, adding the zone name to the end time
     switches its hour style and a range reads "7:30–08:30". */
  function hourStyle(locale) {
    var cycle = new Intl.DateTimeFormat(locale, { hour: "numeric" }).resolvedOptions().hourCycle;
    return cycle === "h23" || cycle === "h24" ? "2-digit" : "numeric";
  }

  function formatter(locale, withDate, withZone) {
    var options = {};
    var key;
    if (withDate) {
      for (key in DATE_OPTIONS) { options[key] = DATE_OPTIONS[key]; }
    }
    for (key in TIME_OPTIONS) { options[key] = TIME_OPTIONS[key]; }
    options.hour = hourStyle(locale);
    if (withZone) { options.timeZoneName = "short"; }
    return new Intl.DateTimeFormat(locale, options);
  }

  function sameLocalDay(a, b, locale) {
    var day = new Intl.DateTimeFormat(locale, { year: "numeric", month: "2-digit", day: "2-digit" });
    return day.format(a) === day.format(b);
  }

  function describe(start, end, locale) {
    if (!end) {
      return formatter(locale, true, true).format(start);
    }
    if (sameLocalDay(start, end, locale)) {
      var dateOnly = new Intl.DateTimeFormat(locale, DATE_OPTIONS);
      return dateOnly.format(start) + ", " + formatter(locale, false, false).format(start) +
        "–" + formatter(locale, false, true).format(end);
    }
    return formatter(locale, true, false).format(start) + " – " +
      formatter(locale, true, true).format(end);
  }

  function outputFor(time) {
    var scope = time.parentNode;
    return scope ? scope.querySelector("[data-localtime-output]") : null;
  }

  function show(time, locale, visitorZone) {
    var start = new Date(time.getAttribute("datetime"));
    var endText = time.getAttribute("data-end");
    var end = endText ? new Date(endText) : null;
    var output = outputFor(time);
    if (!output || isNaN(start.getTime()) || (end && isNaN(end.getTime()))) {
      return;
    }
    var text = describe(start, end, locale);
    if (visitorZone) {
      text += " (" + visitorZone.replace(/_/g, " ") + ")";
    }
    var template = time.getAttribute("data-template") || "{time}";
    output.textContent = template.replace("{time}", text);
    output.hidden = false;
  }

  function init() {
    if (!window.Intl || !Intl.DateTimeFormat) {
      return;
    }
    var locale = document.documentElement.lang || undefined;
    var visitorZone = Intl.DateTimeFormat().resolvedOptions().timeZone;
    var times = document.querySelectorAll("time[data-localtime]");
    for (var i = 0; i < times.length; i += 1) {
      show(times[i], locale, visitorZone);
    }
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", init);
  } else {
    init();
  }
})();
