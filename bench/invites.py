"""5. Invites: microseconds per personal invite, ``eventsvc.ics.invite`` against icalendar alone.

For 1, 100 and 1,000 attendees of one event, every attendee's invite is built, starting cold
(eventsvc's per-event cache emptied; the VTIMEZONE, built once per zone and process in both,
stays). The baseline builds the same calendar (same properties, same VTIMEZONE built beforehand)
with ``icalendar`` alone, from values read beforehand, the personal link included. Per-invite
time must not grow with the number of attendees.

Times are CPU time of this process (``time.process_time``): the work is single-threaded and in
process, and CPU time does not count the moments a busy machine gives the core to others.
"""

import time
from datetime import UTC, datetime

from sqlalchemy import select
from sqlalchemy.orm import joinedload

from bench import fixtures
from bench.common import Row, Settings, log, median, scratch_dir
from bench.in_process import eventsvc_app, sqlite_uri

NAME = "invites"
TITLE = "5. Invites"
MAX_GROWTH = 1.25  # per-invite time at 1,000 attendees over that at 100
MAX_RATIO = 1.0  # eventsvc per invite over icalendar alone, at 1,000 attendees
REPEAT_INVITES = 1000  # invites built per count and round: 1,000 × 1, 10 × 100, 1 × 1,000


def run(settings: Settings) -> tuple[list[Row], dict]:
    from pathlib import Path

    largest = max(settings.invite_counts)
    with (
        scratch_dir("invites") as name,
        eventsvc_app(Path(name) / "instance", sqlite_uri(Path(name) / "invites.sqlite3")),
    ):
        from eventsvc import ics
        from eventsvc.extensions import db
        from eventsvc.models import Registration

        event = fixtures.create_event()
        fixtures.insert_registrations(event.id, largest)
        registrations = db.session.scalars(
            select(Registration)
            .where(Registration.event_id == event.id)
            .options(joinedload(Registration.event))
            .order_by(Registration.id)
        ).all()
        baseline = Baseline(registrations)
        _check_same_properties(ics.invite(registrations[0]), baseline.invite(0))
        runs = {count: {"eventsvc": [], "baseline": []} for count in settings.invite_counts}
        for round_number in range(settings.invite_rounds):
            for count in settings.invite_counts:
                if round_number % 2:
                    ours = _time_eventsvc(ics, registrations[:count])
                    base = _time_baseline(baseline, count)
                else:
                    base = _time_baseline(baseline, count)
                    ours = _time_eventsvc(ics, registrations[:count])
                runs[count]["eventsvc"].append(ours)
                runs[count]["baseline"].append(base)
        for count, pair in runs.items():
            log(
                f"invites x{count}: eventsvc {median(pair['eventsvc']):.0f} µs, "
                f"icalendar alone {median(pair['baseline']):.0f} µs per invite"
            )
    return _rows(runs), {"runs": {str(k): v for k, v in runs.items()}}


def _repetitions(count: int) -> int:
    """Small counts are repeated (each time cold) so that one scheduler hiccup cannot decide."""
    return max(1, REPEAT_INVITES // count)


def _time_eventsvc(ics, registrations) -> float:
    samples = []
    for _ in range(_repetitions(len(registrations))):
        ics._shared_part.cache_clear()
        started = time.process_time()
        for registration in registrations:
            ics.invite(registration)
        samples.append((time.process_time() - started) / len(registrations) * 1e6)
    return median(samples)


def _time_baseline(baseline: "Baseline", count: int) -> float:
    samples = []
    for _ in range(_repetitions(count)):
        started = time.process_time()
        for index in range(count):
            baseline.invite(index)
        samples.append((time.process_time() - started) / count * 1e6)
    return median(samples)


class Baseline:
    """The same invite built with icalendar alone, every value prepared beforehand."""

    def __init__(self, registrations):
        from flask import current_app

        from eventsvc import clock, ics, urls

        event = registrations[0].event
        config = current_app.config
        self.uid = ics.event_uid(event)
        self.sequence = event.sequence
        self.start = clock.to_wall(event.starts_at, event.timezone)
        self.end = clock.to_wall(event.ends_at, event.timezone)
        self.last_modified = event.updated_at.astimezone(UTC)
        self.url = event.online_url
        self.organizer = (config["ORGANIZER_EMAIL"], config["ORGANIZER_NAME"])
        self.timezone = ics.vtimezone(event.timezone, self.start.year)
        self.people = [
            {
                "lang": registration.language,
                "title": event.content(registration.language).title,
                "description": (
                    f"{event.content(registration.language).summary}\n\n"
                    f"Join online: {event.online_url}\n\n"
                    f"Your registration (change or cancel): {urls.manage_url(registration)}"
                ),
                "email": registration.email,
                "name": registration.full_name,
            }
            for registration in registrations
        ]

    def invite(self, index: int) -> bytes:
        from icalendar import Calendar, Event, vCalAddress

        person = self.people[index]
        calendar = Calendar()
        calendar.add("PRODID", "-//baseline//icalendar//EN")
        calendar.add("VERSION", "2.0")
        calendar.add("CALSCALE", "GREGORIAN")
        calendar.add("METHOD", "REQUEST")
        calendar.add_component(self.timezone)
        vevent = Event()
        vevent.add("UID", self.uid)
        vevent.add("SEQUENCE", self.sequence)
        vevent.add("DTSTAMP", datetime.now(UTC).replace(microsecond=0))
        vevent.add("DTSTART", self.start)
        vevent.add("DTEND", self.end)
        vevent.add("LAST-MODIFIED", self.last_modified)
        vevent.add("SUMMARY", person["title"], parameters={"LANGUAGE": person["lang"]})
        vevent.add("STATUS", "CONFIRMED")
        vevent.add("TRANSP", "OPAQUE")
        vevent.add("LOCATION", self.url)
        vevent.add("URL", self.url)
        email, name = self.organizer
        vevent.add("ORGANIZER", vCalAddress.new(email, cn=name))
        vevent.add("DESCRIPTION", person["description"], parameters={"LANGUAGE": person["lang"]})
        vevent.add(
            "ATTENDEE",
            vCalAddress.new(
                person["email"],
                cn=person["name"],
                cutype="INDIVIDUAL",
                role="REQ-PARTICIPANT",
                partstat="ACCEPTED",
                rsvp=False,
            ),
        )
        calendar.add_component(vevent)
        return calendar.to_ical()


def _check_same_properties(ours: bytes, theirs: bytes) -> None:
    """Both invites carry the same components and VEVENT properties (a fair comparison)."""
    from icalendar import Calendar

    def shape(data: bytes):
        calendar = Calendar.from_ical(data)
        vevent = calendar.walk("VEVENT")[0]
        return sorted(c.name for c in calendar.subcomponents), sorted(vevent.keys())

    if shape(ours) != shape(theirs):
        raise AssertionError(f"baseline invite differs: {shape(ours)} != {shape(theirs)}")


def _rows(runs: dict) -> list[Row]:
    rows = []
    counts = sorted(runs)
    per_invite = {count: median(runs[count]["eventsvc"]) for count in counts}
    for count in counts:
        ours, base = per_invite[count], median(runs[count]["baseline"])
        last = count == counts[-1]
        rows.append(
            Row(
                TITLE,
                f"per invite, {count:,} attendee{'s' if count > 1 else ''}",
                "µs",
                ours,
                base,
                target=f"ratio <= {MAX_RATIO:.1f}" if last else "",
                passed=(ours / base <= MAX_RATIO) if last else None,
                note="cold: includes writing the event's shared lines once" if count == 1 else "",
            )
        )
    if len(counts) >= 2:
        small, large = counts[-2], counts[-1]
        growth = per_invite[large] / per_invite[small]
        rows.append(
            Row(
                TITLE,
                f"per-invite growth {small:,}→{large:,}",
                "×",
                growth,
                None,
                target=f"<= {MAX_GROWTH}",
                passed=growth <= MAX_GROWTH,
                note="per-invite time at the larger count over the smaller: 1.0 is linear",
            )
        )
    return rows
