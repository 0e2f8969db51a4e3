"""Calendar files: personal invites (REQUEST), cancellations (CANCEL) and public feeds (PUBLISH).

What makes an invite land at the right time in Outlook, Gmail and Apple Calendar:

* one UID per event (``event-<id>@CALENDAR_DOMAIN``) and the event's SEQUENCE, so every later
  file updates the same calendar entry instead of adding a second one;
* DTSTART/DTEND carry the event's TZID, with a VTIMEZONE describing that zone over the years the
  event spans (:func:`vtimezone`);
* the METHOD here is the one the mail sets on its ``text/calendar`` part (:data:`REQUEST`,
  :data:`CANCEL`).

Every line is written by ``icalendar`` (escaping, folding, parameters). Building and writing
the VTIMEZONE and the event's lines takes about a millisecond, which a reminder fan-out to
thousands of registrants cannot afford per message; so the part of an invite that is the same
for everyone (the calendar, the zone, the event's lines) is written once per event state and
cached, and only the registrant's own lines (ATTENDEE, and DESCRIPTION with their personal
link) are written per registrant and put into the event before it closes.
"""

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, date, datetime
from functools import lru_cache

from flask import current_app
from flask_babel import force_locale
from flask_babel import gettext as _
from icalendar import Calendar, Timezone, vCalAddress, vText
from icalendar import Event as VEvent
from icalendar.parser import Contentline, Parameters

from eventsvc import clock
from eventsvc.i18n import language_name
from eventsvc.models import Event, EventStatus, Registration
from eventsvc.services import tokens
from eventsvc.urls import external_url

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

#: Stands for the token in a cached personal-page URL; URL-safe, so ``url_for`` keeps it as is.
_TOKEN_MARK = "TOKENxMARKxTOKEN"
#: Stands for the personal link in a cached description (a private-use character).
_LINK_MARK = "\ue000link\ue000"


def event_uid(event: Event) -> str:
    """The UID every calendar file about ``event`` carries: stable and globally unique."""
    return f"event-{event.id}@{current_app.config['CALENDAR_DOMAIN']}"


def manage_url(registration: Registration) -> str:
    """The registrant's personal page (view, change languages, download the invite, cancel)."""
    pattern = _manage_url_pattern(current_app.config["PUBLIC_BASE_URL"], registration.language)
    return pattern.replace(_TOKEN_MARK, tokens.make_token(registration))


@lru_cache(maxsize=64)
def _manage_url_pattern(base_url: str, lang: str) -> str:
    """The personal-page URL with a mark for the token: routing it once per language is enough."""
    return external_url("attendee.manage", lang=lang, token=_TOKEN_MARK)


def invite(
    registration: Registration,
    *,
    sequence: int | None = None,
    manage_link: str | None = None,
) -> bytes:
    """The registrant's personal invite: METHOD:REQUEST, with the join link and their own link.

    ``sequence`` defaults to the event's; ``manage_link`` can be passed by a caller that already
    built it (the mail body shows the same link).
    """
    event = registration.event
    lang = registration.language
    head, tail = _shared_part(_EventState.of(event, REQUEST, lang, sequence))
    description = _invite_description_line(
        lang,
        event.content(lang).summary,
        event.online_url or "",
        registration.interpreted_into,
    )
    link = manage_link or manage_url(registration)
    return head + _attendee_line(registration) + description.with_link(link) + tail


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

    METHOD:PUBLISH, no join link and no attendee: anybody may download it.
    """
    events = list(events)
    with force_locale(locale):
        vevents = []
        for event in events:
            vevent = _vevent(_EventState.of(event, PUBLISH, locale, None))
            page = external_url("public.event", lang=locale, slug=event.slug)
            vevent.add("URL", page)
            vevent.add(
                "DESCRIPTION",
                _public_description(event, locale, page),
                parameters={"LANGUAGE": locale},
            )
            vevents.append(vevent)
        calendar = _calendar(PUBLISH, _zone_years(events), vevents)
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
    online_url: str
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
            online_url=event.online_url or "",
            last_modified=event.updated_at,
            organizer_email=config["ORGANIZER_EMAIL"],
            organizer_name=config["ORGANIZER_NAME"],
        )


@lru_cache(maxsize=512)
def _shared_part(state: _EventState) -> tuple[bytes, bytes]:
    """The file written up to the end of the event's lines, and what closes it."""
    vevent = _vevent(state)
    if state.method == REQUEST and state.online_url:
        vevent.add("LOCATION", state.online_url)
        vevent.add("URL", state.online_url)
    vevent.add("ORGANIZER", vCalAddress.new(state.organizer_email, cn=state.organizer_name))
    zones = {} if state.timezone in _UTC_ZONES else {state.timezone: _years(state)}
    data = _calendar(state.method, zones, [vevent]).to_ical()
    head, end, rest = data.rpartition(_END_EVENT)
    return head, end + rest


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


def _calendar(method: str, zones: dict[str, tuple[int, int]], vevents: list[VEvent]) -> Calendar:
    calendar = Calendar()
    calendar.add("PRODID", PRODID)
    calendar.add("VERSION", "2.0")
    calendar.add("CALSCALE", "GREGORIAN")
    calendar.add("METHOD", method)
    for zone_name, (first, last) in sorted(zones.items()):
        calendar.add_component(vtimezone(zone_name, first, last))
    for vevent in vevents:
        calendar.add_component(vevent)
    return calendar


def _local(instant: datetime, zone_name: str) -> datetime:
    if zone_name in _UTC_ZONES:
        return instant.astimezone(UTC)
    return clock.to_wall(instant, zone_name)


def _years(state: _EventState) -> tuple[int, int]:
    return (
        clock.to_wall(state.starts_at, state.timezone).year,
        clock.to_wall(state.ends_at, state.timezone).year,
    )


def _zone_years(events: list[Event]) -> dict[str, tuple[int, int]]:
    """For each zone the events use, the first and last year they need it for."""
    years: dict[str, tuple[int, int]] = {}
    for event in events:
        if event.timezone in _UTC_ZONES:
            continue
        first = clock.to_wall(event.starts_at, event.timezone).year
        last = clock.to_wall(event.ends_at, event.timezone).year
        if event.timezone in years:
            known_first, known_last = years[event.timezone]
            first, last = min(first, known_first), max(last, known_last)
        years[event.timezone] = (first, last)
    return years


@lru_cache(maxsize=256)
def vtimezone(zone_name: str, first_year: int, last_year: int) -> Timezone:
    """The VTIMEZONE of ``zone_name`` from 1 January ``first_year`` to the end of ``last_year``.

    Built from the tz database once (it takes milliseconds) and shared: calendars only read it.
    """
    return Timezone.from_tzid(
        zone_name, first_date=date(first_year, 1, 1), last_date=date(last_year + 1, 1, 1)
    )


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
    return " ".join(registration.full_name.split())


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

    @classmethod
    def split(cls, line: str, mark: str) -> "_LineWithLink":
        before, _mark, after = line.partition(mark)
        *complete, pending = Contentline(before).to_ical().decode().split(_FOLD)
        folded = "".join(segment + _FOLD for segment in complete).encode()
        return cls(folded, pending, after)

    def with_link(self, link: str) -> bytes:
        escaped = vText(link).to_ical().decode()
        return self.folded + Contentline(self.pending + escaped + self.after).to_ical() + _CRLF


@lru_cache(maxsize=256)
def _invite_description_line(
    lang: str, summary: str, online_url: str, interpretation_language: str | None
) -> _LineWithLink:
    """The invite's DESCRIPTION line in ``lang``, ready for each registrant's personal link."""
    description = _invite_description(lang, summary, online_url, interpretation_language)
    component = VEvent()
    component.add("DESCRIPTION", description, parameters={"LANGUAGE": lang})
    line = component.content_line("DESCRIPTION", component["DESCRIPTION"])
    return _LineWithLink.split(line, _LINK_MARK)


@lru_cache(maxsize=256)
def _invite_description(
    lang: str, summary: str, online_url: str, interpretation_language: str | None
) -> str:
    """The invite's description in ``lang``, with a mark where the personal link goes."""
    with force_locale(lang):
        lines = [summary, ""] if summary else []
        if online_url:
            lines.append(_("Join online: %(url)s", url=online_url))
        if interpretation_language:
            language = language_name(interpretation_language, lang)
            lines.append(_("Your interpretation language: %(language)s", language=language))
        lines += ["", _("Your registration (change or cancel): %(url)s", url=_LINK_MARK)]
    return "\n".join(lines)


def _public_description(event: Event, locale: str, page: str) -> str:
    summary = event.content(locale).summary
    details = _("Details and registration: %(url)s", url=page)
    return f"{summary}\n\n{details}" if summary else details
