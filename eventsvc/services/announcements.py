"""Organisers' messages to an event's registrants, sent through the outbox in their languages."""

from dataclasses import dataclass
from datetime import datetime

from flask import current_app
from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select

from eventsvc import clock
from eventsvc.extensions import db
from eventsvc.models import (
    LIVE,
    Announcement,
    Broadcast,
    Event,
    MessageKind,
    Organiser,
    Registration,
    RegistrationStatus,
)
from eventsvc.services import DomainError, audit, broadcasts
from eventsvc.services.inputs.announcement import (  # noqa: F401 (re-exported for the views)
    BODY_MAX,
    SUBJECT_MAX,
    AnnouncementData,
    clean_texts,
)
from eventsvc.services.locking import lock_event


@dataclass(frozen=True)
class SentAnnouncement:
    announcement: Announcement
    recipients: int


def _statuses(include_waitlisted: bool) -> list[RegistrationStatus]:
    statuses = [RegistrationStatus.CONFIRMED]
    if include_waitlisted:
        statuses.append(RegistrationStatus.WAITLISTED)
    return statuses


@dataclass(frozen=True)
class Reach:
    """Who an announcement would reach now: how many, and the languages they read."""

    count: int
    languages: frozenset[str]


def _languages_in(event_id: int, status: RegistrationStatus) -> list[str]:
    """The languages of the event's registrations in ``status``, erased or not, one index seek
    per language (a loose scan of ``ix_registration_audience``: the next language after the
    last one found), so as many look-ups as languages, whatever the number of registrants."""
    found: list[str] = []
    while True:
        query = (
            select(Registration.language)
            .where(Registration.event_id == event_id, Registration.status == status)
            .order_by(Registration.language)
            .limit(1)
        )
        if found:
            query = query.where(Registration.language > found[-1])
        language = db.session.scalar(query)
        if language is None:
            return found
        found.append(language)


def _reach_in(event: Event, status: RegistrationStatus) -> Reach:
    """The registrations in ``status`` whose data are not erased, without reading one entry
    per registrant when they are confirmed: the count is the event's ``confirmed_seats`` (kept
    under the event's lock by every status change) less the erased ones, which are counted per
    language on the covering index; the waitlisted (no stored count) are counted on it."""
    languages, erased = set(), 0
    for language in _languages_in(event.id, status):
        same = (
            Registration.event_id == event.id,
            Registration.status == status,
            Registration.language == language,
        )
        erased += db.session.scalar(
            select(func.count()).where(*same, Registration.anonymised_at.is_not(None))
        )
        readable = select(Registration.id).where(*same, Registration.anonymised_at.is_(None))
        if db.session.scalar(select(readable.limit(1).exists())):
            languages.add(language)
    if status == RegistrationStatus.CONFIRMED:
        total = event.confirmed_seats or 0
    else:
        total = db.session.scalar(
            select(func.count()).where(
                Registration.event_id == event.id, Registration.status == status
            )
        )
    return Reach(max(total - erased, 0), frozenset(languages))


def reach(event: Event, include_waitlisted: bool = False) -> Reach:
    """How many people an announcement would reach now and the text locales it needs; the same
    few index look-ups at 100 or 100,000 confirmed registrants (issue 20)."""
    parts = [_reach_in(event, status) for status in _statuses(include_waitlisted)]
    return Reach(
        sum(part.count for part in parts),
        frozenset(_languages_needed(set().union(*(part.languages for part in parts)))),
    )


def recipient_count(event: Event, include_waitlisted: bool = False) -> int:
    """How many people an announcement would reach now."""
    return reach(event, include_waitlisted).count


def recipient_languages(event: Event, include_waitlisted: bool = False) -> set[str]:
    """The text locales an announcement needs for the people it would reach now."""
    return set(reach(event, include_waitlisted).languages)


def _languages_needed(languages) -> set[str]:
    """The text locales needed for registrants reading ``languages`` (unsupported → default)."""
    supported = current_app.config["SUPPORTED_LOCALES"]
    default = current_app.config["DEFAULT_LOCALE"]
    return {language if language in supported else default for language in languages}


def send_announcement(
    event: Event,
    texts: dict[str, dict[str, str]],
    include_waitlisted: bool = False,
    actor: Organiser | None = None,
    send_at: datetime | None = None,
) -> SentAnnouncement:
    """Store the announcement and one broadcast to its recipients (written once, whatever
    their number; the worker writes each one's delivery when it is due).

    ``texts`` maps a locale to ``{"subject", "body"}``. Every language the recipients read must
    have both, so nobody receives a message they cannot read or an empty one. ``send_at`` (an
    instant in the future) schedules it for the people registered now; until then it can be
    withdrawn with :func:`cancel_scheduled`.
    """
    data = AnnouncementData.parse(texts, include_waitlisted, send_at)
    texts, include_waitlisted, send_at = data.texts, data.include_waitlisted, data.send_at
    event = lock_event(event.id)
    reached = reach(event, include_waitlisted)
    recipients = reached.count
    if not recipients:
        raise DomainError(_l("Nobody would receive this announcement."))
    missing = sorted(reached.languages - set(texts))
    if missing:
        raise DomainError(
            _l(
                "Write the subject and the message in every language your registrants read "
                "(missing: %(languages)s).",
                languages=", ".join(missing),
            )
        )
    announcement = Announcement(
        event_id=event.id,
        organiser_id=actor.id if actor is not None else None,
        texts=texts,
        include_waitlisted=include_waitlisted,
        send_at=send_at,
    )
    db.session.add(announcement)
    db.session.flush()
    statuses = _statuses(include_waitlisted)
    broadcasts.schedule(
        event,
        MessageKind.ANNOUNCEMENT,
        "announcement",
        payload={"announcement_id": announcement.id, "statuses": [str(s) for s in statuses]},
        due_at=send_at,
        registered_now=True,
    )
    audit.record(
        "announcement_scheduled" if send_at else "announcement_sent",
        event=event,
        actor=actor,
        announcement_id=announcement.id,
        recipients=recipients,
        include_waitlisted=include_waitlisted,
        **({"send_at": send_at.isoformat()} if send_at else {}),
    )
    return SentAnnouncement(announcement, recipients)


def cancel_scheduled(announcement: Announcement, actor: Organiser | None = None) -> int:
    """Withdraw a scheduled announcement before it goes; returns the messages withdrawn."""
    if not announcement.is_scheduled():
        raise DomainError(_l("This announcement is no longer scheduled: it has gone out."))
    pending = 0
    for broadcast in _broadcasts_of(announcement):
        if broadcast.status in LIVE:
            pending += _still_to_write(broadcast)
        pending += broadcasts.withdraw(broadcast)
    announcement.cancelled_at = clock.now()
    audit.record(
        "announcement_withdrawn",
        event=db.session.get(Event, announcement.event_id),
        actor=actor,
        announcement_id=announcement.id,
        recipients=pending,
    )
    return pending


def _broadcasts_of(announcement: Announcement) -> list[Broadcast]:
    return [
        broadcast
        for broadcast in db.session.scalars(
            select(Broadcast).where(
                Broadcast.event_id == announcement.event_id,
                Broadcast.kind == MessageKind.ANNOUNCEMENT,
            )
        )
        if (broadcast.payload or {}).get("announcement_id") == announcement.id
    ]


def _still_to_write(broadcast: Broadcast) -> int:
    """The recipients a broadcast not fully expanded has not been written for yet."""
    query = select(func.count(Registration.id)).where(
        Registration.event_id == broadcast.event_id,
        Registration.id > broadcast.cursor,
        Registration.anonymised_at.is_(None),
        *broadcasts.AUDIENCES[broadcast.audience].conditions(broadcast),
    )
    if broadcast.upto_registration_id is not None:
        query = query.where(Registration.id <= broadcast.upto_registration_id)
    return db.session.scalar(query)


def texts_to_test(texts: dict[str, dict[str, str]]) -> dict[str, dict[str, str]]:
    """The languages written so far, for a test copy to the author (sent at once by
    :mod:`eventsvc.mail.direct`, outside the outbox); raises :class:`DomainError` when nothing
    is written yet."""
    texts = clean_texts(texts)
    if not texts:
        raise DomainError(_l("Write a subject and a message first."))
    return texts
