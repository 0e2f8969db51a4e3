"""Reads calendar files with libical (Evolution, many CalDAV servers) through GObject
introspection, for tests/ics/clients. Run by Debian's /usr/bin/python3, which has
``python3-gi`` and ``gir1.2-ical-3.0``: the project's venv cannot import the system's gi.

stdin: {"files": [ics text, ...], "conversions": [{"ics": text, "tzid": str, "instants": [s]}]}
stdout: {"files": [{"method", "events": [{uid, sequence, status, start, end, summary,
         organizer, organizer_cn, attendees: [[address, cn]]}], "itip_errors" (libical only)}],
         "conversions": [[wall, ...]]}
Instants are seconds since the epoch; walls are "YYYY-MM-DDTHH:MM:SS".
"""

import calendar
import json
import sys

import gi

gi.require_version("ICalGLib", "3.0")
from gi.repository import ICalGLib  # noqa: E402

UTC = ICalGLib.Timezone.get_utc_timezone()
Kind = ICalGLib.ComponentKind


def instant(time) -> int:
    utc = time.convert_to_zone(UTC)
    return calendar.timegm(
        (
            utc.get_year(),
            utc.get_month(),
            utc.get_day(),
            utc.get_hour(),
            utc.get_minute(),
            utc.get_second(),
        )
    )


def wall(time) -> str:
    date = f"{time.get_year():04d}-{time.get_month():02d}-{time.get_day():02d}"
    return f"{date}T{time.get_hour():02d}:{time.get_minute():02d}:{time.get_second():02d}"


def cn(prop):
    parameter = prop.get_first_parameter(ICalGLib.ParameterKind.CN_PARAMETER)
    return parameter.get_cn() if parameter else None


def status(event):
    prop = event.get_first_property(ICalGLib.PropertyKind.STATUS_PROPERTY)
    return prop.get_value_as_string() if prop else None


def properties(component, kind):
    prop = component.get_first_property(kind)
    while prop:
        yield prop
        prop = component.get_next_property(kind)


def components(component, kind):
    child = component.get_first_component(kind)
    while child:
        yield child
        child = component.get_next_component(kind)


def itip_errors(root) -> list[str]:
    """What libical's iTIP check (RFC 5546 restrictions per METHOD) finds wrong, if anything."""
    valid = ICalGLib.restriction_check(root)
    errors = []

    def collect(component):
        for error in properties(component, ICalGLib.PropertyKind.XLICERROR_PROPERTY):
            errors.append(error.get_xlicerror())
        for child in components(component, Kind.ANY_COMPONENT):
            collect(child)

    collect(root)
    return errors or ([] if valid else ["restriction check failed"])


def read(text):
    root = ICalGLib.Component.new_from_string(text)
    errors = itip_errors(root)
    method = root.get_first_property(ICalGLib.PropertyKind.METHOD_PROPERTY)
    events = []
    for event in components(root, Kind.VEVENT_COMPONENT):
        organizer = event.get_first_property(ICalGLib.PropertyKind.ORGANIZER_PROPERTY)
        events.append(
            {
                "uid": event.get_uid(),
                "sequence": event.get_sequence(),
                "status": status(event),
                "start": instant(event.get_dtstart()),
                "end": instant(event.get_dtend()),
                "summary": event.get_summary(),
                "organizer": organizer.get_organizer() if organizer else None,
                "organizer_cn": cn(organizer) if organizer else None,
                "attendees": [
                    [p.get_attendee(), cn(p)]
                    for p in properties(event, ICalGLib.PropertyKind.ATTENDEE_PROPERTY)
                ],
            }
        )
    return {
        "method": ICalGLib.Property.method_to_string(method.get_method()) if method else None,
        "events": events,
        "itip_errors": errors,
    }


def convert(job):
    root = ICalGLib.Component.new_from_string(job["ics"])
    (vtimezone,) = components(root, Kind.VTIMEZONE_COMPONENT)
    zone = ICalGLib.Timezone.new()
    zone.set_component(vtimezone.clone())
    walls = []
    for seconds in job["instants"]:
        time = ICalGLib.Time.new_from_timet_with_zone(seconds, 0, UTC)
        walls.append(wall(time.convert_to_zone(zone)))
    return walls


job = json.load(sys.stdin)
json.dump(
    {
        "files": [read(text) for text in job.get("files", [])],
        "conversions": [convert(c) for c in job.get("conversions", [])],
    },
    sys.stdout,
)
