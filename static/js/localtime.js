/*
 * Shows the visitor's own time beside an event's time. Progressive: the page already states the
 * time in the event's zone; this only adds "Your time: …" for <time data-localtime> elements.
 *
 *   <time datetime="2026-12-06T12:30:00Z" data-localtime data-end="2026-12-06T13:30:00Z"
 *         data-event-zone="Europe/Paris" data-locale="en-GB"
 *         data-template="Your time: {time}">…</time>
 *   <span data-localtime-output hidden></span>   (in the same parent as the <time>)
 *
 * Dates and times follow data-locale (the site's formatting locale: en-GB for English unless
 * configured), not the bare page language. The zone is written as the server writes it, as a UTC
 * offset ("UTC+09:00"), followed by the visitor's city. A visitor whose clock shows the same
 * times as the event's zone is shown nothing more.
 */
(function () {
  "use strict";

  var DATE_OPTIONS = { weekday: "long", day: "numeric", month: "long", year: "numeric" };

  /* A 24-hour locale pads hours ("07:30"), as the server does. */
  function hourStyle(locale) {
    var cycle = new Intl.DateTimeFormat(locale, { hour: "numeric" }).resolvedOptions().hourCycle;
    return cycle === "h23" || cycle === "h24" ? "2-digit" : "numeric";
  }

  function timeFormat(locale, zone) {
    return new Intl.DateTimeFormat(locale, {
      hour: hourStyle(locale), minute: "2-digit", timeZone: zone
    });
  }

  function dateFormat(locale, zone) {
    var options = { timeZone: zone };
    for (var key in DATE_OPTIONS) { options[key] = DATE_OPTIONS[key]; }
    return new Intl.DateTimeFormat(locale, options);
  }

  function two(number) {
    return (number < 10 ? "0" : "") + number;
  }

  /* "UTC+09:00", "UTC-05:00", "UTC+00:00": the notation of eventsvc.i18n.utc_offset. */
  function utcOffset(instant) {
    var minutes = -instant.getTimezoneOffset();
    var sign = minutes < 0 ? "-" : "+";
    minutes = Math.abs(minutes);
    return "UTC" + sign + two(Math.floor(minutes / 60)) + ":" + two(minutes % 60);
  }

  function describe(start, end, locale) {
    var date = dateFormat(locale);
    var time = timeFormat(locale);
    var zone = utcOffset(start);
    if (!end) {
      return date.format(start) + ", " + time.format(start) + " " + zone;
    }
    if (date.format(start) === date.format(end)) {
      return date.format(start) + ", " + time.format(start) + "–" + time.format(end) + " " + zone;
    }
    return date.format(start) + ", " + time.format(start) + " – " + date.format(end) + ", " +
      time.format(end) + " " + utcOffset(end);
  }

  /* Whether the visitor's clock reads the same as the event zone's at both ends. */
  function sameWallTime(start, end, locale, eventZone) {
    if (!eventZone) { return false; }
    var format = function (instant, zone) {
      return dateFormat(locale, zone).format(instant) + " " + timeFormat(locale, zone).format(instant);
    };
    try {
      return [start, end || start].every(function (instant) {
        return format(instant, eventZone) === format(instant);
      });
    } catch (error) {  /* a zone this browser does not know */
      return false;
    }
  }

  function city(zone) {
    var parts = (zone || "").split("/");
    return parts.length > 1 ? parts[parts.length - 1].replace(/_/g, " ") : "";
  }

  function outputFor(time) {
    var scope = time.parentNode;
    return scope ? scope.querySelector("[data-localtime-output]") : null;
  }

  function show(time, visitorZone) {
    var start = new Date(time.getAttribute("datetime"));
    var endText = time.getAttribute("data-end");
    var end = endText ? new Date(endText) : null;
    var output = outputFor(time);
    if (!output || isNaN(start.getTime()) || (end && isNaN(end.getTime()))) {
      return;
    }
    var locale = time.getAttribute("data-locale") || document.documentElement.lang || undefined;
    if (sameWallTime(start, end, locale, time.getAttribute("data-event-zone"))) {
      return;
    }
    var text = describe(start, end, locale);
    if (city(visitorZone)) {
      text += " (" + city(visitorZone) + ")";
    }
    var template = time.getAttribute("data-template") || "{time}";
    output.textContent = template.replace("{time}", text);
    output.hidden = false;
  }

  function init() {
    if (!window.Intl || !Intl.DateTimeFormat) {
      return;
    }
    var visitorZone = Intl.DateTimeFormat().resolvedOptions().timeZone;
    var times = document.querySelectorAll("time[data-localtime]");
    for (var i = 0; i < times.length; i += 1) {
      show(times[i], visitorZone);
    }
    var zoneFields = document.querySelectorAll("input[data-browser-zone]");
    for (var j = 0; j < zoneFields.length; j += 1) {
      zoneFields[j].value = visitorZone || "";
    }
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", init);
  } else {
    init();
  }
})();
