/* The workspace's own times (history, registrations, announcements) are written on the server
   in the organisation's zone; this shows them in the organiser's own zone instead, and names it
   in the column headers. Without the script the server's times stand, their zone named. */
(function () {
  "use strict";
  var zone;
  try { zone = Intl.DateTimeFormat().resolvedOptions().timeZone; } catch (error) { return; }
  if (!zone) { return; }
  var format = new Intl.DateTimeFormat("sv-SE", {
    timeZone: zone, year: "numeric", month: "2-digit", day: "2-digit",
    hour: "2-digit", minute: "2-digit", hour12: false
  });
  document.querySelectorAll("time[data-organiser-time]").forEach(function (element) {
    var instant = new Date(element.getAttribute("datetime"));
    if (!isNaN(instant.getTime())) { element.textContent = format.format(instant); }
  });
  document.querySelectorAll(".organiser-zone").forEach(function (element) {
    element.textContent = zone;
  });
}());
