// Reads calendar files with ical.js (Thunderbird's parser) for tests/calendar_clients.
// Same JSON protocol as libical_read.py: see there.
import fs from "node:fs";
import ICAL from "ical.js";

function zonesOf(root) {
  const zones = {};
  for (const vtimezone of root.getAllSubcomponents("vtimezone")) {
    const zone = new ICAL.Timezone(vtimezone);
    zones[zone.tzid] = zone;
  }
  return zones;
}

function instant(component, name, zones) {
  const property = component.getFirstProperty(name);
  const time = property.getFirstValue();
  const tzid = property.getParameter("tzid");
  if (tzid) {
    if (!zones[tzid]) throw new Error(`no VTIMEZONE for ${tzid}`);
    time.zone = zones[tzid];
  }
  return time.toUnixTime();
}

function read(text) {
  const root = new ICAL.Component(ICAL.parse(text));
  const zones = zonesOf(root);
  const events = root.getAllSubcomponents("vevent").map((vevent) => {
    const organizer = vevent.getFirstProperty("organizer");
    return {
      uid: vevent.getFirstPropertyValue("uid"),
      sequence: vevent.getFirstPropertyValue("sequence"),
      status: vevent.getFirstPropertyValue("status"),
      start: instant(vevent, "dtstart", zones),
      end: instant(vevent, "dtend", zones),
      summary: vevent.getFirstPropertyValue("summary"),
      organizer: organizer ? organizer.getFirstValue() : null,
      organizer_cn: organizer ? organizer.getParameter("cn") ?? null : null,
      attendees: vevent
        .getAllProperties("attendee")
        .map((p) => [p.getFirstValue(), p.getParameter("cn") ?? null]),
    };
  });
  return { method: root.getFirstPropertyValue("method"), events };
}

// UTC -> local as ical.js understands the VTIMEZONE: its expanded list of changes (UTC onsets,
// from the observances and their RRULEs). Time.convertToZone is not used: it looks the offset up
// with the UTC wall time as if it were local, which is wrong for the hour after each change
// whatever the file says (a limitation of ical.js itself).
function localWall(zone, seconds) {
  const utc = ICAL.Time.fromJSDate(new Date(seconds * 1000), true);
  zone._ensureCoverage(utc.year + 1);
  let offset = null;
  for (const change of zone.changes) {
    const onset = Date.UTC(change.year, change.month - 1, change.day, change.hour, change.minute,
      change.second) / 1000;
    if (onset > seconds) break;
    offset = change.utcOffset;
  }
  if (offset === null) throw new Error(`${seconds} is before the first change of ${zone.tzid}`);
  return ICAL.Time.fromJSDate(new Date((seconds + offset) * 1000), true).toString().slice(0, 19);
}

function convert(job) {
  const zone = zonesOf(new ICAL.Component(ICAL.parse(job.ics)))[job.tzid];
  return job.instants.map((seconds) => localWall(zone, seconds));
}

const job = JSON.parse(fs.readFileSync(0, "utf8"));
process.stdout.write(
  JSON.stringify({
    files: (job.files ?? []).map(read),
    conversions: (job.conversions ?? []).map(convert),
  }),
);
