"""Events: create, change, publish and cancel, and tell registrants what changed.

The organiser pages and the importer both describe an event with :class:`EventData` and get
field errors back the same way: :func:`validate` returns ``{field: [message, …]}`` and the
write functions raise :class:`ValidationFailed` carrying that dictionary. Field keys are
``slug``, ``timezone``, ``start``, ``end``, ``floor_language``, ``interpretation_languages``,
``online_url``, ``capacity``, ``registration_closes``, ``partners``, ``status`` and, for the
texts, ``title.<locale>``, ``summary.<locale>``, ``description.<locale>`` (``title.fr``).

A change of time, join link or title raises the event's sequence and queues an updated invite
for every confirmed registrant; a cancellation queues a cancellation for everyone registered.
Every write leaves an audit entry; the caller's unit of work commits it.
"""

import re
from contextlib import contextmanager
from dataclasses import dataclass, field, replace
from datetime import datetime
from functools import cache
from urllib.parse import urlsplit

from babel import Locale
from flask import current_app
from flask_babel import lazy_gettext as _l
from slugify import slugify
from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError

from eventsvc import clock
from eventsvc.extensions import db
from eventsvc.i18n import language_in_text
from eventsvc.mail import outbox
from eventsvc.models import (
    Event,
    EventPartner,
    EventStatus,
    MessageKind,
    MessageStatus,
    Organiser,
    OutboxMessage,
    Partner,
    Registration,
    RegistrationStatus,
)
from eventsvc.models.event import DESCRIPTION_MAX, SLUG_MAX, SUMMARY_MAX, TITLE_MAX, URL_MAX
from eventsvc.services import DomainError, assignments, audit, page_version
from eventsvc.services.locking import lock_event
from eventsvc.services.registrations import _fill_free_seats

SLUG_PATTERN = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")
TEXT_LIMITS = {"title": TITLE_MAX, "summary": SUMMARY_MAX, "description": DESCRIPTION_MAX}

#: What registrants are told about. Other changes (summary, capacity…) reach them when the
#: next message is rendered from the current state.
TIME, LINK, TITLE = "time", "link", "title"
#: Any other change, told only when the organiser asks for it.
DETAILS = "details"
#: An event cancelled by mistake is back (told with the same kind of message as a change).
REOPENED = "reopened"
#: The event is off its date until a new one is set.
POSTPONED = "postponed"

#: Messages that make no sense once the event is cancelled.
_OBSOLETE_ON_CANCEL = (
    MessageKind.REMINDER,
    MessageKind.CONFIRMATION,
    MessageKind.WAITLISTED,
    MessageKind.PROMOTED,
    MessageKind.EVENT_UPDATED,
)


class ValidationFailed(DomainError):
    """The event data has errors; ``errors`` maps each field key to its messages."""

    def __init__(self, errors: dict[str, list]):
        super().__init__(_l("The event could not be saved: please correct the errors."))
        self.errors = errors


@dataclass
class EventData:
    """An event as people describe it: local wall times in ``timezone``, texts per locale.

    ``start``, ``end`` and ``registration_closes`` are naive datetimes (wall time in
    ``timezone``). ``texts`` maps a locale to ``{"title", "summary", "description"}``;
    ``partners`` lists partner acronyms in display order.
    """

    slug: str
    timezone: str
    start: datetime | None
    end: datetime | None
    texts: dict[str, dict[str, str]]
    floor_language: str
    interpretation_languages: list[str] = field(default_factory=list)
    online_url: str = ""
    capacity: int | None = None
    registration_closes: datetime | None = None
    partners: list[str] = field(default_factory=list)
    status: EventStatus | str = EventStatus.DRAFT
    #: "Confirm your address" mode (see ``registrations.confirm_address``).
    confirm_address: bool = False

    @classmethod
    def from_event(cls, event: Event) -> "EventData":
        """The data of a stored event, e.g. to fill an edit form."""

        def wall(instant):
            if instant is None:
                return None
            return clock.to_wall(instant, event.timezone).replace(tzinfo=None)

        return cls(
            slug=event.slug,
            timezone=event.timezone,
            start=wall(event.starts_at),
            end=wall(event.ends_at),
            texts={
                c.locale: {"title": c.title, "summary": c.summary, "description": c.description}
                for c in event.contents
            },
            floor_language=event.floor_language,
            interpretation_languages=list(event.interpretation_languages),
            online_url=event.online_url,
            capacity=event.capacity,
            registration_closes=wall(event.registration_closes_at),
            partners=[p.acronym for p in event.partners],
            status=event.status,
            confirm_address=event.confirm_address,
        )


@dataclass
class ChangeSummary:
    """What a write changes and whom it tells; times are aware UTC instants.

    ``changes`` lists what registrants are told about (``"time"``, ``"link"``, ``"title"``);
    ``fields`` lists every changed field key. ``notify_count`` is the number of registrants
    who get a message (an update, or a cancellation when ``cancelled``).
    """

    changes: list[str]
    notify_count: int
    old_start: datetime
    old_end: datetime
    new_start: datetime
    new_end: datetime
    fields: list[str] = field(default_factory=list)
    cancelled: bool = False
    published: bool = False
    promote_count: int = 0
    #: Registrants the change could be told to (confirmed; waitlisted too for a new time).
    audience_count: int = 0

    @property
    def changed(self) -> bool:
        return bool(self.fields)

    @property
    def notify_by_default(self) -> bool:
        """Time and link changes matter to everyone; a new title or wording rarely does."""
        return self.cancelled or TIME in self.changes or LINK in self.changes


@dataclass
class _Resolved:
    """Validated data in stored form: instants, a status, cleaned texts and lists."""

    data: EventData
    status: EventStatus
    starts_at: datetime
    ends_at: datetime
    closes_at: datetime | None
    texts: dict[str, dict[str, str]]
    interpretation_languages: list[str]
    partners: list[str]
    online_url: str


# --- validation -------------------------------------------------------------------------------


@cache
def known_languages() -> frozenset[str]:
    """ISO 639-1 codes Babel can name."""
    return frozenset(code for code in Locale("en").languages if len(code) == 2 and code.isalpha())


def validate(
    data: EventData, event: Event | None = None, *, known_partners=frozenset()
) -> dict[str, list]:
    """Field errors of ``data`` as a new event (``event`` None) or as a change of ``event``.

    ``known_partners`` adds acronyms that will exist (partners of the same import file).
    """
    errors, _ = _check(data, event, known_partners)
    return errors


def _check(data: EventData, event: Event | None, known_partners) -> tuple[dict, _Resolved | None]:
    errors: dict[str, list] = {}

    def add(key, message):
        errors.setdefault(key, []).append(message)

    _check_slug(data.slug, event, add)
    status = _check_status(data.status, event, add)
    starts_at, ends_at, closes_at = _check_times(data, add)
    _check_languages(data, add)
    online_url = _check_url(data.online_url, add)
    _check_capacity(data.capacity, add)
    texts = _check_texts(data.texts, add)
    if status == EventStatus.PUBLISHED:
        _check_publishable(texts, add)
    else:
        _check_has_title(texts, add)
    partners = _check_partners(data.partners, known_partners, add)
    if errors:
        return errors, None
    interpretation = list(dict.fromkeys(data.interpretation_languages or []))
    resolved = _Resolved(
        data, status, starts_at, ends_at, closes_at, texts, interpretation, partners, online_url
    )
    return errors, resolved


#: Slugs that would shadow a page of the site (``/organiser/events/new``, ``/<lang>/events.ics``).
RESERVED_SLUGS = frozenset({"new", "events", "slug-check"})


def _check_slug(slug, event, add) -> None:
    if not slug:
        add("slug", _l("Give the event a short name for its address (slug)."))
        return
    if len(slug) > SLUG_MAX or not SLUG_PATTERN.match(slug):
        add(
            "slug",
            _l(
                "The slug may contain only lowercase letters, digits and single hyphens, "
                "at most %(max)d characters (for example gps-ecce-launch).",
                max=SLUG_MAX,
            ),
        )
        return
    if slug in RESERVED_SLUGS:
        add("slug", _l("“%(slug)s” is reserved for the site's own pages.", slug=slug))
        return
    query = select(Event.id).where(Event.slug == slug)
    if event is not None:
        query = query.where(Event.id != event.id)
    if db.session.scalar(query) is not None:
        add("slug", _l("Another event already uses the slug “%(slug)s”.", slug=slug))


def _check_status(value, event, add) -> EventStatus | None:
    try:
        status = EventStatus(value)
    except ValueError:
        add(
            "status",
            _l(
                "Unknown status “%(status)s”: use draft, published or cancelled.",
                status=value,
            ),
        )
        return None
    if event is None or event.status == status:
        return status
    if event.status == EventStatus.CANCELLED:
        add(
            "status",
            _l("This event has been cancelled and cannot be reopened. Create a new event instead."),
        )
    elif status == EventStatus.DRAFT and _active_registrations(event) > 0:
        add(
            "status",
            _l(
                "People have registered for this event, so it cannot go back to draft. "
                "Cancel it instead."
            ),
        )
    return status


def _check_times(data: EventData, add):
    zone_ok = bool(data.timezone) and data.timezone in clock.known_zones()
    if not zone_ok:
        add(
            "timezone",
            _l(
                "Unknown time zone “%(zone)s”: use an IANA name such as Europe/Paris.",
                zone=data.timezone or "",
            ),
        )
    starts_at = _instant("start", data.start, data.timezone, zone_ok, add, required=True)
    ends_at = _instant("end", data.end, data.timezone, zone_ok, add, required=True)
    closes_at = _instant(
        "registration_closes", data.registration_closes, data.timezone, zone_ok, add
    )
    if starts_at and ends_at and ends_at <= starts_at:
        add("end", _l("The end must be after the start."))
    if starts_at and closes_at and closes_at > starts_at:
        add("registration_closes", _l("Registration must close before the event starts."))
    return starts_at, ends_at, closes_at


def _instant(key, wall, zone_name, zone_ok, add, required=False) -> datetime | None:
    if wall is None:
        if required:
            message = _l("Give the start time.") if key == "start" else _l("Give the end time.")
            add(key, message)
        return None
    if not zone_ok:
        return None
    try:
        return clock.to_instant(wall, zone_name)
    except clock.WallTimeError as exc:
        add(key, exc.message)
        return None


def _check_languages(data: EventData, add) -> None:
    known = known_languages()
    if not data.floor_language:
        add("floor_language", _l("Give the language spoken on the floor."))
    elif data.floor_language not in known:
        add(
            "floor_language",
            _l("Unknown language code “%(code)s”.", code=data.floor_language),
        )
    for code in data.interpretation_languages or []:
        if code not in known:
            add("interpretation_languages", _l("Unknown language code “%(code)s”.", code=code))


#: A host name with a dot, then a port, path, query or nothing: what an address pasted without
#: its scheme starts with (``zoom.us/j/123``), and what ``javascript:…`` never does.
_BARE_HOST = re.compile(r"^[a-z0-9-]+(\.[a-z0-9-]+)+(:\d+)?([/?#]|$)", re.IGNORECASE)


def complete_url(url: str | None) -> str:
    """``zoom.us/j/123`` as ``https://zoom.us/j/123`` (the editor's join link field): people
    paste addresses without a scheme. Anything else is left for validation to judge."""
    url = (url or "").strip()
    if _BARE_HOST.match(url):
        return "https://" + url
    return url


def slug_from_title(title: str) -> str:
    """A slug for ``title``: lower-case ASCII words joined by hyphens (other scripts
    transliterated, by python-slugify), cut at a word boundary."""
    return slugify(title or "", max_length=SLUG_MAX, word_boundary=True, save_order=True)


def slug_problem(slug: str, event: Event | None = None):
    """Why ``slug`` cannot be used for ``event`` (or a new event), or ``None``."""
    problems: list = []
    _check_slug(slug, event, lambda _key, message: problems.append(message))
    return problems[0] if problems else None


def _check_url(url, add) -> str:
    url = (url or "").strip()
    if not url:
        return ""
    parts = urlsplit(url)
    if len(url) > URL_MAX:
        add("online_url", _l("The join link may be at most %(max)d characters.", max=URL_MAX))
    elif parts.scheme not in ("http", "https") or not parts.netloc or re.search(r"\s", url):
        add("online_url", _l("The join link must be a web address starting with https://."))
    return url


def _check_capacity(capacity, add) -> None:
    if capacity is None:
        return
    if isinstance(capacity, bool) or not isinstance(capacity, int) or capacity < 1:
        add("capacity", _l("The capacity must be a whole number of at least 1, or empty."))


def _check_texts(texts, add) -> dict[str, dict[str, str]]:
    """Cleaned texts for every supported locale (empty strings where none was given)."""
    supported = current_app.config["SUPPORTED_LOCALES"]
    texts = texts or {}
    for locale in texts:
        if locale not in supported:
            add(
                f"title.{locale}",
                _l(
                    "Texts in “%(locale)s” are not supported here (supported: %(supported)s).",
                    locale=locale,
                    supported=", ".join(supported),
                ),
            )
    cleaned = {}
    for locale in supported:
        given = texts.get(locale) or {}
        cleaned[locale] = {}
        for name, limit in TEXT_LIMITS.items():
            value = (given.get(name) or "").strip()
            if len(value) > limit:
                add(
                    f"{name}.{locale}",
                    _l(
                        "At most %(max)d characters (this text has %(length)d).",
                        max=limit,
                        length=len(value),
                    ),
                )
            cleaned[locale][name] = value
    return cleaned


def _check_has_title(texts, add) -> None:
    if not any(fields["title"] for fields in texts.values()):
        first = current_app.config["SUPPORTED_LOCALES"][0]
        add(f"title.{first}", _l("Give the event a title."))


def _check_publishable(texts, add) -> None:
    """Every supported locale needs a title and a summary before the event is published."""
    for locale in current_app.config["SUPPORTED_LOCALES"]:
        fields = texts.get(locale, {})
        language = language_in_text(locale)
        if not fields.get("title"):
            add(
                f"title.{locale}",
                _l("A title in %(language)s is needed to publish.", language=language),
            )
        if not fields.get("summary"):
            add(
                f"summary.{locale}",
                _l("A summary in %(language)s is needed to publish.", language=language),
            )


def _check_partners(acronyms, known_partners, add) -> list[str]:
    acronyms = list(dict.fromkeys(acronyms or []))
    if not acronyms:
        return []
    stored = set(db.session.scalars(select(Partner.acronym).where(Partner.acronym.in_(acronyms))))
    for acronym in acronyms:
        if acronym not in stored and acronym not in known_partners:
            add("partners", _l("Unknown partner “%(acronym)s”.", acronym=acronym))
    return acronyms


def _active_registrations(event: Event) -> int:
    return _count(event, (RegistrationStatus.CONFIRMED, RegistrationStatus.WAITLISTED))


def _count(event: Event, statuses) -> int:
    return db.session.scalar(
        select(func.count(Registration.id)).where(
            Registration.event_id == event.id, Registration.status.in_(statuses)
        )
    )


def _resolve(data: EventData, event: Event | None, known_partners=frozenset()) -> _Resolved:
    errors, resolved = _check(data, event, known_partners)
    if errors:
        raise ValidationFailed(errors)
    return resolved


# --- what changes -----------------------------------------------------------------------------


def _changed_fields(event: Event, new: _Resolved) -> list[str]:
    """Every field key whose stored value differs from ``new``."""
    data = new.data
    current = EventData.from_event(event)
    pairs = {
        "slug": (event.slug, data.slug),
        "timezone": (event.timezone, data.timezone),
        "start": (event.starts_at, new.starts_at),
        "end": (event.ends_at, new.ends_at),
        "floor_language": (event.floor_language, data.floor_language),
        "interpretation_languages": (
            list(event.interpretation_languages),
            new.interpretation_languages,
        ),
        "online_url": (event.online_url, new.online_url),
        "capacity": (event.capacity, data.capacity),
        "registration_closes": (event.registration_closes_at, new.closes_at),
        "partners": (current.partners, new.partners),
        "status": (event.status, new.status),
        "confirm_address": (event.confirm_address, bool(data.confirm_address)),
    }
    changed = [key for key, (old, value) in pairs.items() if old != value]
    for locale, fields in new.texts.items():
        stored = current.texts.get(locale, {})
        for name, value in fields.items():
            if stored.get(name, "") != value:
                changed.append(f"{name}.{locale}")
    return changed


def _told_changes(fields: list[str]) -> list[str]:
    told = []
    if "start" in fields or "end" in fields:
        told.append(TIME)
    if "online_url" in fields:
        told.append(LINK)
    if any(key.startswith("title.") for key in fields):
        told.append(TITLE)
    return told


def _audience(changes: list[str]) -> tuple[RegistrationStatus, ...]:
    """Who hears of a change: people waiting for a place need a new time too."""
    if TIME in changes:
        return (RegistrationStatus.CONFIRMED, RegistrationStatus.WAITLISTED)
    return (RegistrationStatus.CONFIRMED,)


def _summarise(event: Event, new: _Resolved, notify: bool | None = None) -> ChangeSummary:
    """``notify``: tell registrants (``True``), not (``False``), or as before this choice
    existed (``None``: of time, link and title changes; the importer's behaviour)."""
    fields = _changed_fields(event, new)
    cancelling = new.status == EventStatus.CANCELLED and event.status != EventStatus.CANCELLED
    changes = _told_changes(fields)
    if notify and not changes and fields:
        changes = [DETAILS]
    audience = 0
    if cancelling:
        audience = _active_registrations(event)
    elif fields and new.status == EventStatus.PUBLISHED:
        audience = _count(event, _audience(changes))
    if cancelling:
        notify_count = audience
    elif notify is False or not changes:
        notify_count = 0
    else:
        notify_count = audience
    return ChangeSummary(
        changes=changes,
        notify_count=notify_count,
        old_start=event.starts_at,
        old_end=event.ends_at,
        new_start=new.starts_at,
        new_end=new.ends_at,
        fields=fields,
        cancelled=cancelling,
        published=new.status == EventStatus.PUBLISHED and event.status != EventStatus.PUBLISHED,
        promote_count=_promote_count(event, new),
        audience_count=audience,
    )


def _promote_count(event: Event, new: _Resolved) -> int:
    if new.status != EventStatus.PUBLISHED or event.is_past():
        return 0
    waiting = _count(event, (RegistrationStatus.WAITLISTED,))
    if new.data.capacity is None:
        return waiting
    free = new.data.capacity - event.confirmed_seats
    return max(min(waiting, free), 0)


# --- writes -----------------------------------------------------------------------------------


@contextmanager
def _slug_must_be_free(slug: str):
    """Flush what the block wrote; a slug taken meanwhile by a concurrent writer (the unique
    index) is reported like any other slug clash (the unit of work then rolls back)."""
    try:
        yield
        db.session.flush()
    except IntegrityError as exc:
        raise ValidationFailed(
            {"slug": [_l("Another event already uses the slug “%(slug)s”.", slug=slug)]}
        ) from exc


def create_event(
    data: EventData, actor: Organiser | None = None, known_partners=frozenset(), **audit_details
) -> Event:
    """Create an event from ``data``; raises :class:`ValidationFailed`.

    ``known_partners`` are acronyms the caller creates in the same transaction (the importer).
    """
    new = _resolve(data, None, known_partners)
    event = Event(slug=data.slug, sequence=0)
    _apply(event, new)
    db.session.add(event)
    with _slug_must_be_free(data.slug):
        db.session.flush()
    assignments.assign_creator(event, actor)
    audit.record(audit.CREATED, event, actor, status=str(new.status), **audit_details)
    if new.status == EventStatus.PUBLISHED:
        audit.record(audit.PUBLISHED, event, actor, **audit_details)
    return event


def preview_changes(event: Event, data: EventData, notify: bool | None = None) -> ChangeSummary:
    """What :func:`update_event` would change and how many registrants it would tell.

    Writes nothing; raises :class:`ValidationFailed` when ``data`` has errors.
    """
    data = _new_date_ends_postponement(event, data)
    return _summarise(event, _resolve(data, event), notify)


def update_event(
    event: Event,
    data: EventData,
    actor: Organiser | None = None,
    known_partners=frozenset(),
    notify: bool | None = None,
    **audit_details,
) -> ChangeSummary:
    """Change ``event`` to ``data`` and tell its registrants.

    Time, join link or title changed: the sequence goes up, every confirmed registrant gets an
    updated invite and reminders move with the time. More seats: people move up from the
    waitlist. Status ``cancelled``: as :func:`cancel_event`. ``known_partners`` as for
    :func:`create_event`.
    """
    event = lock_event(event.id)
    data = _new_date_ends_postponement(event, data)
    new = _resolve(data, event, known_partners)
    title_before = {c.locale: c.title for c in event.contents}
    summary = _summarise(event, new, notify)
    if not summary.changed:
        return summary
    with _slug_must_be_free(data.slug):
        _apply(event, new)
        page_version.event_changed(event)
    status_has_own_entry = summary.published or summary.cancelled
    updated = [k for k in summary.fields if not (k == "status" and status_has_own_entry)]
    if updated:
        audit.record(
            audit.UPDATED, event, actor, fields=updated, **_time_details(summary), **audit_details
        )
    if summary.cancelled:
        _cancel(event, actor, **audit_details)
        return summary
    if summary.notify_count:
        _tell_changes(event, summary, _titles_changed(event, title_before))
    elif summary.changes:
        event.sequence += 1
        if TIME in summary.changes:
            outbox.reschedule_reminders(event)
    if summary.published:
        audit.record(audit.PUBLISHED, event, actor, **audit_details)
    if "capacity" in summary.fields:
        _fill_free_seats(event)
    return summary


def _time_details(summary: ChangeSummary) -> dict:
    if TIME not in summary.changes:
        return {}
    return {
        "old_start": summary.old_start.isoformat(),
        "old_end": summary.old_end.isoformat(),
        "new_start": summary.new_start.isoformat(),
        "new_end": summary.new_end.isoformat(),
    }


def publish_event(event: Event, actor: Organiser | None = None) -> Event:
    """Publish a draft. Needs every locale's title and summary."""
    event = lock_event(event.id)
    if event.status == EventStatus.CANCELLED:
        raise DomainError(_l("This event has been cancelled: re-open it to publish it again."))
    if event.status == EventStatus.PUBLISHED:
        return event
    errors: dict[str, list] = {}
    texts = EventData.from_event(event).texts
    _check_publishable(texts, lambda key, msg: errors.setdefault(key, []).append(msg))
    if errors:
        raise ValidationFailed(errors)
    event.status = EventStatus.PUBLISHED
    page_version.event_changed(event)
    audit.record(audit.PUBLISHED, event, actor)
    return event


def preview_cancellation(event: Event) -> ChangeSummary:
    """What :func:`cancel_event` would do: how many registrants it would tell."""
    data = EventData.from_event(event)
    data.status = EventStatus.CANCELLED
    new = _Resolved(
        data,
        EventStatus.CANCELLED,
        event.starts_at,
        event.ends_at,
        event.registration_closes_at,
        data.texts,
        data.interpretation_languages,
        data.partners,
        event.online_url,
    )
    return _summarise(event, new)


def cancel_event(
    event: Event, actor: Organiser | None = None, message: dict[str, str] | None = None
) -> ChangeSummary:
    """Cancel the event and tell everyone registered, waitlist included.

    ``message`` is the organisers' optional word to registrants, one text per locale. The
    registrations are kept, so that :func:`reopen_event` can bring the event back. Cancelling
    twice does nothing the second time.
    """
    event = lock_event(event.id)
    summary = preview_cancellation(event)
    if not summary.cancelled:
        return summary
    event.status = EventStatus.CANCELLED
    page_version.event_changed(event)
    _cancel(event, actor, message=message)
    return summary


def _cancel(
    event: Event, actor: Organiser | None, message: dict[str, str] | None = None, **audit_details
) -> None:
    event.sequence += 1
    outbox.drop_pending_for_event(event, _OBSOLETE_ON_CANCEL)
    words = {locale: text.strip() for locale, text in (message or {}).items() if text.strip()}
    payload = {"sequence": event.sequence, **({"message": words} if words else {})}
    for registration in _registrations(
        event, (RegistrationStatus.CONFIRMED, RegistrationStatus.WAITLISTED)
    ):
        # Only a confirmed registrant's calendar holds the event: the waitlisted get the notice
        # without a METHOD:CANCEL for an entry they never had.
        holds_invite = registration.status == RegistrationStatus.CONFIRMED
        outbox.enqueue(
            MessageKind.EVENT_CANCELLED,
            registration,
            payload={**payload, "calendar": holds_invite},
        )
    if words:
        audit_details["with_message"] = True
    audit.record(audit.CANCELLED, event, actor, **audit_details)


def registrant_count(event: Event) -> int:
    """People with a place or on the waitlist: those a postponement or cancellation tells."""
    return _active_registrations(event)


def postpone_event(
    event: Event, actor: Organiser | None = None, message: dict[str, str] | None = None
) -> int:
    """Take a published event off its date until a new one is set.

    Registrations are kept and registration closes; every registrant is told, with the
    organisers' optional ``message``; reminders are dropped. Setting a new time in the editor
    publishes it again and sends updated invitations (:func:`update_event`). Returns how many
    people are told.
    """
    event = lock_event(event.id)
    if event.status != EventStatus.PUBLISHED:
        raise DomainError(_l("Only a published event can be postponed."))
    if event.is_past():
        raise DomainError(_l("This event is over: it cannot be postponed."))
    event.status = EventStatus.POSTPONED
    page_version.event_changed(event)
    outbox.drop_pending_for_event(event, (MessageKind.REMINDER, MessageKind.EVENT_UPDATED))
    words = {k: v.strip() for k, v in (message or {}).items() if v and v.strip()}
    payload = {"changes": [POSTPONED], **({"message": words} if words else {})}
    told = _registrations(event, (RegistrationStatus.CONFIRMED, RegistrationStatus.WAITLISTED))
    for registration in told:
        outbox.enqueue(MessageKind.EVENT_UPDATED, registration, payload=payload)
    audit.record(audit.POSTPONED, event, actor, with_message=bool(words))
    return len(told)


def reopen_event(event: Event, actor: Organiser | None = None) -> int:
    """Bring a cancelled event back: published again, its registrations as they were, every
    registrant told (confirmed ones with a new invitation and their reminders). Returns how
    many people are told."""
    event = lock_event(event.id)
    if event.status != EventStatus.CANCELLED:
        raise DomainError(_l("Only a cancelled event can be re-opened."))
    if event.is_past():
        raise DomainError(_l("This event is over: it cannot be re-opened."))
    event.status = EventStatus.PUBLISHED
    event.sequence += 1
    page_version.event_changed(event)
    told = _registrations(event, (RegistrationStatus.CONFIRMED, RegistrationStatus.WAITLISTED))
    for registration in told:
        outbox.enqueue(MessageKind.EVENT_UPDATED, registration, payload={"changes": [REOPENED]})
    outbox.reschedule_reminders(event)
    audit.record(audit.REOPENED, event, actor)
    _fill_free_seats(event)
    return len(told)


def _new_date_ends_postponement(event: Event, data: EventData) -> EventData:
    """A postponed event given a new start or end is published again: registrants then get
    the new time and updated invitations like any other change of time."""
    if event.status != EventStatus.POSTPONED or EventStatus(data.status) != EventStatus.POSTPONED:
        return data
    current = EventData.from_event(event)
    if (data.start, data.end, data.timezone) == (current.start, current.end, current.timezone):
        return data
    return replace(data, status=EventStatus.PUBLISHED)


def _titles_changed(event: Event, before: dict[str, str]) -> list[str]:
    return [c.locale for c in event.contents if before.get(c.locale) != c.title]


def _tell_changes(event: Event, summary: ChangeSummary, title_locales: list[str]) -> None:
    """Queue an update for every registrant concerned, and move reminders with the time.

    Confirmed registrants get an updated invite; for a new time the waitlist is told too. A new
    title is news only to those who read the event in a language whose title changed.
    An update still waiting in the outbox is folded into the new one, so that the message says
    what changed since the registrant last heard, not since the previous unsent change.
    """
    event.sequence += 1
    unsent = _unsent_updates(event)
    outbox.drop_pending_for_event(event, (MessageKind.EVENT_UPDATED,))
    for registration in _registrations(event, _audience(summary.changes)):
        changes = list(summary.changes)
        if TITLE in changes and event.content(registration.language).locale not in title_locales:
            changes.remove(TITLE)
        payload = {
            "old_start": summary.old_start.isoformat(),
            "old_end": summary.old_end.isoformat(),
            "changes": changes,
        }
        earlier = unsent.get(registration.id)
        if earlier is not None:
            told = set(changes) | set(earlier.get("changes", []))
            payload = {
                "old_start": earlier.get("old_start", payload["old_start"]),
                "old_end": earlier.get("old_end", payload["old_end"]),
                "changes": [c for c in (TIME, LINK, TITLE, DETAILS) if c in told],
            }
        if payload["changes"]:
            outbox.enqueue(MessageKind.EVENT_UPDATED, registration, payload=payload)
    if TIME in summary.changes:
        outbox.reschedule_reminders(event)


def _unsent_updates(event: Event) -> dict[int, dict]:
    """The payload of the oldest update still pending for each registrant of ``event``."""
    messages = db.session.scalars(
        select(OutboxMessage)
        .where(
            OutboxMessage.event_id == event.id,
            OutboxMessage.kind == MessageKind.EVENT_UPDATED,
            OutboxMessage.status == MessageStatus.PENDING,
        )
        .order_by(OutboxMessage.id)
    )
    unsent: dict[int, dict] = {}
    for message in messages:
        unsent.setdefault(message.registration_id, dict(message.payload or {}))
    return unsent


def _registrations(event: Event, statuses) -> list[Registration]:
    return list(
        db.session.scalars(
            select(Registration)
            .where(Registration.event_id == event.id, Registration.status.in_(statuses))
            .order_by(Registration.id)
        )
    )


def _apply(event: Event, new: _Resolved) -> None:
    """Copy ``new`` onto ``event``, touching only what differs."""
    data = new.data
    values = {
        "slug": data.slug,
        "timezone": data.timezone,
        "starts_at": new.starts_at,
        "ends_at": new.ends_at,
        "floor_language": data.floor_language,
        "interpretation_languages": new.interpretation_languages,
        "online_url": new.online_url,
        "capacity": data.capacity,
        "registration_closes_at": new.closes_at,
        "status": new.status,
        "confirm_address": bool(data.confirm_address),
    }
    for name, value in values.items():
        if getattr(event, name, None) != value:
            setattr(event, name, value)
    for locale, fields in new.texts.items():
        stored = next((c for c in event.contents if c.locale == locale), None)
        if stored is None and not any(fields.values()):
            continue
        if stored is None or any(getattr(stored, k) != v for k, v in fields.items()):
            event.set_content(locale, **fields)
    if [p.acronym for p in event.partners] != new.partners:
        _set_partners(event, new.partners)


def _set_partners(event: Event, acronyms: list[str]) -> None:
    by_acronym = {
        p.acronym: p
        for p in db.session.scalars(select(Partner).where(Partner.acronym.in_(acronyms)))
    }
    event.partner_links.clear()
    db.session.flush()
    for position, acronym in enumerate(acronyms):
        event.partner_links.append(EventPartner(partner=by_acronym[acronym], position=position))
