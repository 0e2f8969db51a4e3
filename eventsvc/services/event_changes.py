"""What a change to an event changes, and whom it tells: the change policy.

The writes in :mod:`eventsvc.services.events` ask this module which fields differ, which of
them registrants are told about (time, link, title), who hears of them and how many.
Nothing here writes.
"""

from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import func, select

from eventsvc.extensions import db
from eventsvc.models import Event, EventStatus, Registration, RegistrationStatus
from eventsvc.services.inputs.event import EventData, _Resolved

#: What registrants are told about. Other changes (summary, capacity…) reach them when the
#: next message is rendered from the current state.
TIME, LINK, TITLE = "time", "link", "title"
#: Any other change, told only when the organiser asks for it.
DETAILS = "details"
#: An event cancelled by mistake is back (told with the same kind of message as a change).
REOPENED = "reopened"
#: The event is off its date until a new one is set.
POSTPONED = "postponed"


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


def active_registrants(event: Event) -> int:
    return _count(event, (RegistrationStatus.CONFIRMED, RegistrationStatus.WAITLISTED))


def _count(event: Event, statuses) -> int:
    return db.session.scalar(
        select(func.count(Registration.id)).where(
            Registration.event_id == event.id, Registration.status.in_(statuses)
        )
    )


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
        "required_locales": (list(event.required_locales), new.required_locales),
        "embed_origins": (list(event.embed_origins or []), new.embed_origins),
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


def audience_statuses(changes: list[str]) -> tuple[RegistrationStatus, ...]:
    """Who hears of a change: people waiting for a place need a new time too."""
    if TIME in changes:
        return (RegistrationStatus.CONFIRMED, RegistrationStatus.WAITLISTED)
    return (RegistrationStatus.CONFIRMED,)


def summarise(event: Event, new: _Resolved, notify: bool | None = None) -> ChangeSummary:
    """``notify``: tell registrants (``True``), not (``False``), or as before this choice
    existed (``None``: of time, link and title changes; the importer's behaviour)."""
    fields = _changed_fields(event, new)
    cancelling = new.status == EventStatus.CANCELLED and event.status != EventStatus.CANCELLED
    changes = _told_changes(fields)
    if notify and not changes and fields:
        changes = [DETAILS]
    audience = 0
    if cancelling:
        audience = active_registrants(event)
    elif fields and new.status == EventStatus.PUBLISHED:
        audience = _count(event, audience_statuses(changes))
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
