"""Calendar files: personal invites (REQUEST), cancellations (CANCEL) and public feeds (PUBLISH).

What makes an invite land at the right time in Outlook, Gmail and Apple Calendar:

* one UID per event (``<random UUID>@CALENDAR_DOMAIN``, stored with the event) and the event's
  SEQUENCE, so every later file updates the same calendar entry instead of adding a second one;
* DTSTART/DTEND carry the event's TZID, with a VTIMEZONE describing that zone for every year from
  the event's on (:func:`vtimezone`);
* the METHOD here is the one the mail sets on its ``text/calendar`` part (:data:`REQUEST`,
  :data:`CANCEL`).

Every line is written by ``icalendar`` (escaping, folding, parameters). Building and writing
the VTIMEZONE and the event's lines takes about a millisecond, which a reminder fan-out to
thousands of registrants cannot afford per message; so the part of an invite that is the same
for everyone (the calendar, the zone, the event's lines) is written once per event state and
cached, and only the registrant's own lines (ATTENDEE; LOCATION and URL, their personal join
link; DESCRIPTION with their join link and personal page) are written per registrant and put
into the event before it closes. The meeting's raw address is in no calendar file.
"""

import calendar as calendar_module
import re
import struct
import zoneinfo
from bisect import bisect_right
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from functools import cached_property, lru_cache
from importlib import resources
from pathlib import Path

from flask import current_app
from flask_babel import force_locale
from flask_babel import gettext as _
from icalendar import Calendar, Timezone, TimezoneDaylight, TimezoneStandard, vCalAddress, vText
from icalendar import Event as VEvent
from icalendar.parser import Contentline, Parameters

from eventsvc import clock
from eventsvc.i18n import language_name
from eventsvc.models import Event, EventStatus, Registration
from eventsvc.urls import external_url, join_url, manage_url

REQUEST = "REQUEST"
CANCEL = "CANCEL"
PUBLISH = "PUBLISH"

PRODID = "-//eventsvc//eventsvc invitations//EN"

#: Zones whose offset is always zero: times are written in UTC (``…Z``) with no VTIMEZONE.
_UTC_ZONES = frozenset({"UTC", "Etc/UTC", "Etc/UCT", "UCT", "Etc/Universal", "Universal", "Zulu"})

_END_EVENT = b"END:VEVENT\r\n"
_CRLF = b"\r\n"
#: What icalendar puts between the parts of a folded line.
_FOLD = "\r\n "

#: Stand for the personal links in cached lines (private-use characters): the personal page,
#: and the personal join link (``urls.join_url``), which replaces the meeting's raw address.
_LINK_MARK = "\ue000link\ue000"
_JOIN_MARK = "\ue000join\ue000"


def event_uid(event: Event) -> str:
    """The UID every calendar file about ``event`` carries: stable and globally unique."""
    return event.calendar_uid


def invite(
    registration: Registration,
    *,
    sequence: int | None = None,
    manage_link: str | None = None,
    join_link: str | None = None,
) -> bytes:
    """The registrant's personal invite: METHOD:REQUEST, with their own join link (LOCATION,
    URL, DESCRIPTION; never the meeting's raw address) and the link to their page.

    ``sequence`` defaults to the event's; ``manage_link`` and ``join_link`` can be passed by a
    caller that already built them (the mail body shows the same links).
    """
    event = registration.event
    lang = registration.language
    head, tail = _shared_part(_EventState.of(event, REQUEST, lang, sequence))
    has_meeting = bool(event.online_url)
    description = _invite_description_line(
        lang, event.content(lang).summary, has_meeting, registration.interpreted_into
    )
    links = {_LINK_MARK: manage_link or manage_url(registration)}
    personal = head + _attendee_line(registration)
    if has_meeting:
        links[_JOIN_MARK] = join_link or join_url(registration)
        personal += _join_lines(links[_JOIN_MARK])
    return personal + description.with_links(links) + tail


@lru_cache(maxsize=1)
def _join_line_parts() -> tuple["_LineWithLink", "_LineWithLink"]:
    component = VEvent()
    component.add("LOCATION", _JOIN_MARK)
    component.add("URL", _JOIN_MARK)
    return tuple(
        _LineWithLink.split(
            component.content_line(name, component[name]), (_JOIN_MARK,), text=name != "URL"
        )
        for name in ("LOCATION", "URL")
    )


def _join_lines(link: str) -> bytes:
    """LOCATION and URL: the registrant's join link, as icalendar writes them."""
    return b"".join(part.with_links({_JOIN_MARK: link}) for part in _join_line_parts())


def cancellation(registration: Registration, sequence: int | None = None) -> bytes:
    """METHOD:CANCEL for one registrant's calendar entry (their cancellation or the event's).

    ``sequence`` must be higher than that of the last invite sent: callers pass the one they
    recorded when queueing the message; it defaults to the event's current sequence.
    """
    event = registration.event
    head, tail = _shared_part(_EventState.of(event, CANCEL, registration.language, sequence))
    return head + _attendee_line(registration) + tail


def publish(events: Iterable[Event], locale: str) -> bytes:
    """A public calendar (one event's "add to calendar" file or the subscription feed).

    METHOD:PUBLISH with the ORGANIZER (RFC 5546 §3.2.1), no join link and no attendee: anybody
    may download it.
    """
    events = list(events)
    with force_locale(locale):
        vevents = []
        for event in events:
            vevent = _vevent(_EventState.of(event, PUBLISH, locale, None))
            page = external_url("public.event", lang=locale, slug=event.slug)
            vevent.add("URL", page)
            vevent.add("ORGANIZER", _organizer())
            vevent.add(
                "DESCRIPTION",
                _public_description(event, locale, page),
                parameters={"LANGUAGE": locale},
            )
            vevents.append(vevent)
        calendar = _calendar(PUBLISH, _zone_first_years(events), vevents)
        name = events[0].content(locale).title if len(events) == 1 else _("Events")
        calendar.add("X-WR-CALNAME", name)
        calendar.add("X-PUBLISHED-TTL", "PT1H")
    return calendar.to_ical()


# --- the part of a file that is the same for every registrant -----------------------------------


@dataclass(frozen=True)
class _EventState:
    """Everything the shared part of a calendar file depends on, so it can key a cache."""

    method: str
    uid: str
    sequence: int
    stamp: datetime
    starts_at: datetime
    ends_at: datetime
    timezone: str
    cancelled: bool
    title: str
    locale: str
    last_modified: datetime | None
    organizer_email: str
    organizer_name: str

    @classmethod
    def of(cls, event: Event, method: str, locale: str, sequence: int | None) -> "_EventState":
        config = current_app.config
        return cls(
            method=method,
            uid=event_uid(event),
            sequence=event.sequence if sequence is None else sequence,
            stamp=clock.now().astimezone(UTC).replace(microsecond=0),
            starts_at=event.starts_at,
            ends_at=event.ends_at,
            timezone=event.timezone,
            cancelled=method == CANCEL or event.status == EventStatus.CANCELLED,
            title=event.content(locale).title,
            locale=locale,
            last_modified=event.updated_at,
            organizer_email=config["ORGANIZER_EMAIL"],
            organizer_name=config["ORGANIZER_NAME"],
        )


@lru_cache(maxsize=512)
def _shared_part(state: _EventState) -> tuple[bytes, bytes]:
    """The file written up to the end of the event's lines, and what closes it."""
    vevent = _vevent(state)
    vevent.add("ORGANIZER", _organizer(state.organizer_email, state.organizer_name))
    first_year = clock.to_wall(state.starts_at, state.timezone).year
    zones = {} if state.timezone in _UTC_ZONES else {state.timezone: first_year}
    data = _calendar(state.method, zones, [vevent]).to_ical()
    head, end, rest = data.rpartition(_END_EVENT)
    return head, end + rest


def _organizer(email: str | None = None, name: str | None = None) -> vCalAddress:
    """ORGANIZER (RFC 5546 wants one in REQUEST, CANCEL and PUBLISH): the configured mailbox."""
    config = current_app.config
    email = email or config["ORGANIZER_EMAIL"]
    name = name or config["ORGANIZER_NAME"]
    return vCalAddress.new(email, cn=calendar_name(name))


def _vevent(state: _EventState) -> VEvent:
    vevent = VEvent()
    vevent.add("UID", state.uid)
    vevent.add("SEQUENCE", state.sequence)
    vevent.add("DTSTAMP", state.stamp)
    vevent.add("DTSTART", _local(state.starts_at, state.timezone))
    vevent.add("DTEND", _local(state.ends_at, state.timezone))
    if state.last_modified is not None:
        vevent.add("LAST-MODIFIED", state.last_modified.astimezone(UTC))
    vevent.add("SUMMARY", state.title, parameters={"LANGUAGE": state.locale})
    vevent.add("STATUS", "CANCELLED" if state.cancelled else "CONFIRMED")
    vevent.add("TRANSP", "TRANSPARENT" if state.method == CANCEL else "OPAQUE")
    return vevent


def _calendar(method: str, zones: dict[str, int], vevents: list[VEvent]) -> Calendar:
    calendar = Calendar()
    calendar.add("PRODID", PRODID)
    calendar.add("VERSION", "2.0")
    calendar.add("CALSCALE", "GREGORIAN")
    calendar.add("METHOD", method)
    for zone_name, first_year in sorted(zones.items()):
        calendar.add_component(vtimezone(zone_name, first_year))
    for vevent in vevents:
        calendar.add_component(vevent)
    return calendar


def _local(instant: datetime, zone_name: str) -> datetime:
    if zone_name in _UTC_ZONES:
        return instant.astimezone(UTC)
    return clock.to_wall(instant, zone_name)


def _zone_first_years(events: list[Event]) -> dict[str, int]:
    """For each zone the events use, the first year its VTIMEZONE must describe."""
    years: dict[str, int] = {}
    for event in events:
        if event.timezone not in _UTC_ZONES:
            first = clock.to_wall(event.starts_at, event.timezone).year
            years[event.timezone] = min(first, years.get(event.timezone, first))
    return years


# --- VTIMEZONE from the tz database -------------------------------------------------------------
#
# icalendar's ``Timezone.from_tzid`` writes each spring onset an hour late (local time after the
# change instead of before it, RFC 5545 §3.6.5) and covers only the years asked for, under the
# standard TZID, so a server that keeps the first definition it sees misplaces later events. The
# VTIMEZONE is therefore written here from the zone's TZif file, the one zoneinfo reads: its
# explicit transitions for the past, and its POSIX footer (the zone's current yearly rule) as
# STANDARD/DAYLIGHT observances with an RRULE, valid for every later year.

_EPOCH = datetime(1970, 1, 1)
_DAY = 86400
_RRULE_DAYS = ("SU", "MO", "TU", "WE", "TH", "FR", "SA")
#: Where a yearly rule that no RRULE can say is spelled out as RDATEs instead.
_LAST_RDATE_YEAR = 2100


@dataclass(frozen=True)
class _Offset:
    """A local time type of the zone: UTC offset (seconds), DST flag, abbreviation."""

    seconds: int
    dst: bool
    name: str


@dataclass(frozen=True)
class _Change:
    """A transition at ``at`` (seconds since the epoch, UTC) from ``before`` to ``after``."""

    at: int
    before: _Offset
    after: _Offset

    def onset(self) -> datetime:
        """The local time just before the change: RFC 5545's DTSTART of an observance."""
        return _EPOCH + timedelta(seconds=self.at + self.before.seconds)


@dataclass(frozen=True)
class _YearlyRule:
    """One yearly change of a POSIX TZ rule: ``Mmonth.week.weekday/seconds`` or a day of year."""

    month: int
    week: int  # 1-4, or 5 for the last
    weekday: int  # 0 = Sunday
    seconds: int  # after midnight local time before the change; may be negative or > 24 h
    julian: str = ""  # "J<n>" or "<n>" for the rare day-of-year rules

    def local_onset(self, year: int) -> datetime:
        if self.julian:
            number = int(self.julian.lstrip("J"))
            day = date(year, 1, 1) + timedelta(days=number - 1)
            if self.julian.startswith("J") and calendar_module.isleap(year) and number > 59:
                day += timedelta(days=1)
            return datetime.combine(day, time()) + timedelta(seconds=self.seconds)
        first = date(year, self.month, 1)
        day = first + timedelta(days=(self.weekday - first.isoweekday() % 7) % 7)
        day += timedelta(weeks=self.week - 1)
        while day.month != self.month:
            day -= timedelta(weeks=1)
        return datetime.combine(day, time()) + timedelta(seconds=self.seconds)

    def rrule(self) -> dict | None:
        """The RRULE for this change, or None when RRULE cannot say it in every year."""
        if self.julian:
            return None
        shift, _rest = divmod(self.seconds, _DAY)
        weekday = _RRULE_DAYS[(self.weekday + shift) % 7]
        rule = {"FREQ": "YEARLY", "BYMONTH": self.month}
        if shift == 0:
            return rule | {"BYDAY": f"{-1 if self.week == 5 else self.week}{weekday}"}
        if self.week == 5:
            days = range(-7 + shift, shift)
            fits = shift <= 0 and days[0] >= -28
        else:
            days = range((self.week - 1) * 7 + 1 + shift, self.week * 7 + 1 + shift)
            fits = days[0] >= 1 and days[-1] <= 28
        return rule | {"BYDAY": weekday, "BYMONTHDAY": list(days)} if fits else None


@dataclass(frozen=True)
class _Footer:
    """The POSIX TZ string at the end of a TZif file: the rule after the last transition."""

    standard: _Offset
    daylight: _Offset | None = None
    to_daylight: _YearlyRule | None = None
    to_standard: _YearlyRule | None = None

    def changes(self, year: int) -> list[_Change]:
        """The rule's changes whose local onset falls in ``year``."""
        if self.daylight is None:
            return []
        pairs = [
            (self.to_daylight, self.standard, self.daylight),
            (self.to_standard, self.daylight, self.standard),
        ]
        changes = []
        for rule, before, after in pairs:
            at = rule.local_onset(year) - timedelta(seconds=before.seconds) - _EPOCH
            changes.append(_Change(int(at.total_seconds()), before, after))
        return sorted(changes, key=lambda change: change.at)


_POSIX_NAME = r"(<[^>]+>|[A-Za-z]{3,})"
_POSIX_TIME = r"([+-]?\d{1,3}(?::\d{1,2}){0,2})"
_POSIX_DATE = r"(M\d{1,2}\.\d\.\d|J\d{1,3}|\d{1,3})"
_POSIX_TZ = re.compile(
    rf"^{_POSIX_NAME}{_POSIX_TIME}(?:{_POSIX_NAME}{_POSIX_TIME}?"
    rf"(?:,{_POSIX_DATE}(?:/{_POSIX_TIME})?,{_POSIX_DATE}(?:/{_POSIX_TIME})?)?)?$"
)


def _posix_seconds(text: str) -> int:
    sign = -1 if text.startswith("-") else 1
    parts = [int(part) for part in text.lstrip("+-").split(":")]
    hours, minutes, seconds = (parts + [0, 0])[:3]
    return sign * (hours * 3600 + minutes * 60 + seconds)


def _posix_rule(spec: str, at: str | None) -> _YearlyRule:
    seconds = _posix_seconds(at) if at else 2 * 3600
    if spec.startswith("M"):
        month, week, weekday = (int(part) for part in spec[1:].split("."))
        return _YearlyRule(month, week, weekday, seconds)
    return _YearlyRule(0, 0, 0, seconds, julian=spec)


def _parse_footer(text: str) -> _Footer:
    match = _POSIX_TZ.match(text)
    if match is None:
        raise ValueError(f"unsupported TZ rule {text!r}")
    std_name, std_at, dst_name, dst_at, on, on_at, off, off_at = match.groups()
    standard = _Offset(-_posix_seconds(std_at), False, std_name.strip("<>"))
    if dst_name is None:
        return _Footer(standard)
    dst_seconds = -_posix_seconds(dst_at) if dst_at else standard.seconds + 3600
    daylight = _Offset(dst_seconds, True, dst_name.strip("<>"))
    if on is None:  # POSIX default: the US rules of 1987
        on, on_at, off, off_at = "M4.1.0", None, "M10.5.0", None
    return _Footer(standard, daylight, _posix_rule(on, on_at), _posix_rule(off, off_at))


@dataclass(frozen=True)
class _Zone:
    """A zone as its TZif file describes it: explicit changes, then the yearly rule."""

    name: str
    changes: tuple[_Change, ...]
    footer: _Footer
    initial: _Offset

    @cached_property
    def times(self) -> list[int]:
        return [change.at for change in self.changes]

    @cached_property
    def rule_start(self) -> int:
        """Index in ``changes`` from which every explicit change is the footer rule's.

        ``len(changes)`` when the file stops before the rule starts (a "slim" TZif file).
        """
        start = len(self.changes)
        while start > 0:
            change = self.changes[start - 1]
            year = (_EPOCH + timedelta(seconds=change.at)).year
            if change not in {
                c for y in (year - 1, year, year + 1) for c in self.footer.changes(y)
            }:
                break
            start -= 1
        return start


def _tzif_bytes(zone_name: str) -> bytes:
    """The TZif file zoneinfo would read for ``zone_name`` (TZPATH first, then tzdata)."""
    for directory in zoneinfo.TZPATH:
        path = Path(directory) / zone_name
        if path.is_file():
            return path.read_bytes()
    return resources.files("tzdata.zoneinfo").joinpath(*zone_name.split("/")).read_bytes()


def _parse_tzif(zone_name: str, data: bytes) -> _Zone:
    """Read the 64-bit (version 2+) part of a TZif file (RFC 8536)."""
    header = struct.Struct(">4sc15x6l")

    def counts(offset):
        magic, version, *numbers = header.unpack_from(data, offset)
        if magic != b"TZif":
            raise ValueError(f"{zone_name} is not a TZif file")
        return version, numbers

    version, (isut, isstd, leap, times, types, chars) = counts(0)
    if version < b"2":
        raise ValueError(f"{zone_name}: TZif version 1 has no rule for later years")
    offset = header.size + times * 5 + types * 6 + chars + leap * 8 + isstd + isut
    _version, (isut, isstd, leap, times, types, chars) = counts(offset)
    offset += header.size
    at = struct.unpack_from(f">{times}q", data, offset)
    offset += times * 8
    indexes = data[offset : offset + times]
    offset += times
    raw_types = [struct.unpack_from(">lBB", data, offset + 6 * n) for n in range(types)]
    offset += types * 6
    names = data[offset : offset + chars]
    offset += chars + leap * 12 + isstd + isut
    footer = data[offset:].strip(b"\n").decode("ascii")

    def name_at(start):
        return names[start : names.index(b"\0", start)].decode("ascii")

    kinds = [_Offset(seconds, bool(dst), name_at(start)) for seconds, dst, start in raw_types]
    changes = []
    before = kinds[0]
    for moment, index in zip(at, indexes, strict=True):
        after = kinds[index]
        if after.seconds != before.seconds or after.dst != before.dst:
            changes.append(_Change(moment, before, after))
        before = after
    return _Zone(zone_name, tuple(changes), _parse_footer(footer), kinds[0])


@lru_cache(maxsize=512)
def _zone(zone_name: str) -> _Zone:
    return _parse_tzif(zone_name, _tzif_bytes(zone_name))


def vtimezone(zone_name: str, first_year: int) -> Timezone:
    """The VTIMEZONE of ``zone_name`` for dates from 1 January ``first_year`` on, every year.

    Events from the same zone get the same component (cached), unless an event lies before the
    zone's current rule began: then the explicit changes from its year on are added.
    """
    zone = _zone(zone_name)
    first_needed = int((datetime(first_year, 1, 1) - timedelta(days=1) - _EPOCH).total_seconds())
    in_force = bisect_right(zone.times, first_needed) - 1
    return _vtimezone(zone_name, min(max(in_force, 0), zone.rule_start))


@lru_cache(maxsize=512)
def _vtimezone(zone_name: str, first_change: int) -> Timezone:
    zone = _zone(zone_name)
    rule_start = zone.rule_start
    timezone = Timezone()
    timezone.add("TZID", zone_name)
    explicit = zone.changes[first_change:rule_start]
    for change in explicit:
        timezone.add_component(_observance(change))
    after_explicit = zone.changes[rule_start - 1].at if rule_start else None
    rule_changes = _rule_observances(zone, rule_start, after_explicit)
    for observance in rule_changes:
        timezone.add_component(observance)
    if not explicit and not rule_changes:
        offset = zone.footer.standard
        timezone.add_component(_observance(_Change(0, offset, offset)))
    return timezone


def _rule_observances(zone: _Zone, rule_start: int, after: int | None) -> list:
    """The footer's STANDARD/DAYLIGHT observances, from the rule's first change on."""
    footer = zone.footer
    if footer.daylight is None:
        return []
    if rule_start < len(zone.changes):
        first_at = zone.changes[rule_start].at
    else:
        first_at = after + 1 if after is not None else None
    year = 1970 if first_at is None else (_EPOCH + timedelta(seconds=first_at)).year - 1
    upcoming = [c for y in range(year, year + 3) for c in footer.changes(y)]
    upcoming = [c for c in upcoming if first_at is None or c.at >= first_at]
    observances = []
    for rule in (footer.to_daylight, footer.to_standard):
        after_offset = footer.daylight if rule is footer.to_daylight else footer.standard
        first = next(c for c in upcoming if c.after == after_offset)
        observance = _observance(first)
        recurrence = rule.rrule()
        if recurrence is not None:
            observance.add("RRULE", recurrence)
        else:
            later = range(first.onset().year + 1, _LAST_RDATE_YEAR + 1)
            onsets = [
                c.onset() for y in later for c in footer.changes(y) if c.after == after_offset
            ]
            observance.add("RDATE", onsets)
        observances.append(observance)
    return observances


def _observance(change: _Change) -> TimezoneStandard | TimezoneDaylight:
    observance = TimezoneDaylight() if change.after.dst else TimezoneStandard()
    observance.add("DTSTART", change.onset())
    observance.add("TZOFFSETFROM", timedelta(seconds=change.before.seconds))
    observance.add("TZOFFSETTO", timedelta(seconds=change.after.seconds))
    observance.add("TZNAME", change.after.name)
    return observance


# --- the registrant's own lines ----------------------------------------------------------------


def _attendee(registration: Registration) -> vCalAddress:
    """The registrant, already accepted: they registered, so no reply is asked for (RSVP=FALSE)."""
    return _accepted_attendee(registration.email, _attendee_name(registration))


def _accepted_attendee(email: str, name: str) -> vCalAddress:
    return vCalAddress.new(
        email,
        cn=name,
        cutype="INDIVIDUAL",
        role="REQ-PARTICIPANT",
        partstat="ACCEPTED",
        rsvp=False,
    )


def _attendee_name(registration: Registration) -> str:
    return calendar_name(registration.full_name)


_QUOTED = re.compile(r'"([^"]*)"')


def calendar_name(name: str) -> str:
    """``name`` as a CN parameter that libical, ical.js, vobject and icalendar all read the same.

    A ``"`` cannot stand in a parameter value; RFC 6868 writes it ``^'`` (and ``^`` as ``^^``),
    which vobject shows as typed. So straight double quotes become typographic ones (“ ”) and
    ``^`` the modifier letter ˆ, which every parser keeps; whitespace runs (line breaks
    included) become one space and other control characters go. Commas, semicolons, colons and
    every script are kept as they are, inside the quoted value.
    """
    name = " ".join(name.split())
    if not name.isprintable():
        name = "".join(char for char in name if char.isprintable())
    if '"' in name:
        name = _QUOTED.sub("\u201c\\1\u201d", name).replace('"', "\u201d")
    return name.replace("^", "\u02c6")


def _attendee_line(registration: Registration) -> bytes:
    """The ATTENDEE line of :func:`_attendee`, folded, without building a component for it.

    The parameters other than CN are the same for everyone and icalendar writes them after CN
    (sorted): they are written once (:func:`_attendee_parameters_after_name`), and only the
    name's parameter, the address and the folding are done per registrant, all by icalendar.
    """
    name = _attendee_name(registration)
    if not name:
        attendee = _attendee(registration)
        return Contentline.from_parts("ATTENDEE", attendee.params, attendee).to_ical() + _CRLF
    name_parameter = Parameters({"CN": name}).to_ical().decode()
    address = vCalAddress.new(registration.email)
    line = f"ATTENDEE;{name_parameter}{_attendee_parameters_after_name()}:{address}"
    return Contentline(line).to_ical() + _CRLF


@lru_cache(maxsize=1)
def _attendee_parameters_after_name() -> str:
    sample = _accepted_attendee("sample@example.org", "Sample")
    written = sample.params.to_ical(sorted=True).decode()
    name_parameter = "CN=Sample"
    if not written.startswith(name_parameter):
        raise RuntimeError(f"icalendar no longer writes CN first: {written}")
    return written.removeprefix(name_parameter)


@dataclass(frozen=True)
class _LineWithLink:
    """A content line whose value holds a personal link, folded up to the link once for all.

    Folding goes character by character; the part before the link is the same for everyone,
    so its complete folded lines are kept (``folded``) with the folded line in progress where
    the link starts (``pending``), and only that line, the link and what follows the link
    (``after``) are folded per registrant: the result is what folding the whole line gives.
    """

    folded: bytes
    pending: str
    after: str
    #: Whether links are escaped as TEXT (DESCRIPTION, LOCATION), not written as they are (URL).
    text: bool = True

    @classmethod
    def split(cls, line: str, marks: tuple[str, ...], text: bool = True) -> "_LineWithLink":
        """Cut ``line`` where the first of ``marks`` in it starts."""
        cut = min((line.index(mark) for mark in marks if mark in line), default=len(line))
        before, after = line[:cut], line[cut:]
        *complete, pending = Contentline(before).to_ical().decode().split(_FOLD)
        folded = "".join(segment + _FOLD for segment in complete).encode()
        return cls(folded, pending, after, text)

    def with_links(self, links: dict[str, str]) -> bytes:
        """The line with each mark replaced by its link (escaped as a text value)."""
        rest = self.after
        for mark, link in links.items():
            rest = rest.replace(mark, vText(link).to_ical().decode() if self.text else link)
        return self.folded + Contentline(self.pending + rest).to_ical() + _CRLF


@lru_cache(maxsize=256)
def _invite_description_line(
    lang: str, summary: str, has_meeting: bool, interpretation_language: str | None
) -> _LineWithLink:
    """The invite's DESCRIPTION line in ``lang``, ready for each registrant's personal links."""
    description = _invite_description(lang, summary, has_meeting, interpretation_language)
    component = VEvent()
    component.add("DESCRIPTION", description, parameters={"LANGUAGE": lang})
    line = component.content_line("DESCRIPTION", component["DESCRIPTION"])
    return _LineWithLink.split(line, (_JOIN_MARK, _LINK_MARK))


@lru_cache(maxsize=256)
def _invite_description(
    lang: str, summary: str, has_meeting: bool, interpretation_language: str | None
) -> str:
    """The invite's description in ``lang``, with marks where the personal links go."""
    with force_locale(lang):
        lines = [summary, ""] if summary else []
        if has_meeting:
            lines.append(_("Join online: %(url)s", url=_JOIN_MARK))
        if interpretation_language:
            language = language_name(interpretation_language, lang)
            lines.append(_("Your interpretation language: %(language)s", language=language))
        lines += ["", _("Your registration (change or cancel): %(url)s", url=_LINK_MARK)]
    return "\n".join(lines)


def _public_description(event: Event, locale: str, page: str) -> str:
    summary = event.content(locale).summary
    details = _("Details and registration: %(url)s", url=page)
    return f"{summary}\n\n{details}" if summary else details
