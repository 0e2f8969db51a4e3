"""The follow-up after an event: written once per language and variant, sent through the outbox.

Two variants: for those who attended by the event's rule
(:func:`eventsvc.services.attendance.attended_registration_ids`) and for those who did not.
Scheduling writes one message to many (a :class:`~eventsvc.models.Broadcast` of
:attr:`MessageKind.FOLLOW_UP`, audience ``follow_up``), due at the earliest time any recipient's
may be; the mail worker expands it into one delivery per confirmed registrant (never to the
cancelled or erased, never twice), each with its variant and its own due time: the variant's
chosen time or, by default, the morning after the event at 09:00 in the registrant's own zone
(``Registration.timezone``) when known, else the event's. The text is rendered when each
message is sent, in the recipient's language
(:mod:`eventsvc.mail.messages`), so corrections made before then reach everyone.
"""

import os
import secrets
from dataclasses import dataclass
from datetime import datetime, time, timedelta
from pathlib import Path

from flask import current_app
from flask_babel import lazy_gettext as _l
from sqlalchemy import ColumnElement, Row, exists, or_, select, update

from eventsvc import clock
from eventsvc.extensions import db
from eventsvc.i18n import best_text
from eventsvc.models import (
    UNSENT,
    Attendance,
    Broadcast,
    BroadcastStatus,
    Event,
    FollowUp,
    MessageKind,
    MessageStatus,
    Organiser,
    OutboxMessage,
    Registration,
    RegistrationStatus,
    Variant,
)
from eventsvc.services import DomainError, attendance, audit, broadcasts, certificates
from eventsvc.services.inputs.base import Errors
from eventsvc.services.inputs.follow_up import VARIANTS, FollowUpData, check_slides
from eventsvc.services.locking import lock_event

#: The default time of the follow-up, in the registrant's zone, the day after the event.
MORNING_AFTER = time(9, 0)


@dataclass(frozen=True)
class Scheduled:
    attended: int
    absent: int


def follow_up_for(event: Event) -> FollowUp | None:
    return db.session.scalar(select(FollowUp).where(FollowUp.event_id == event.id))


def save(event: Event, data: FollowUpData, actor: Organiser | None = None) -> FollowUp:
    """Store what the organiser wrote (texts, links, times); sends nothing."""
    follow_up = follow_up_for(event) or FollowUp(event_id=event.id)
    follow_up.texts = data.texts
    follow_up.recording_url = data.recording_url
    follow_up.survey_url = data.survey_url
    follow_up.attach_certificate = data.attach_certificate
    follow_up.attended_send_at = data.send_at.get(Variant.ATTENDED)
    follow_up.absent_send_at = data.send_at.get(Variant.ABSENT)
    db.session.add(follow_up)
    db.session.flush()
    audit.record("follow_up_saved", event=event, actor=actor)
    return follow_up


# --- slides --------------------------------------------------------------------------------------


def files_folder() -> Path:
    folder = current_app.config.get("FOLLOW_UP_FILES_DIR")
    return Path(folder or Path(current_app.instance_path) / "follow-ups")


def store_slides(event: Event, data: bytes, actor: Organiser | None = None) -> FollowUp:
    """Check ``data`` is a PDF within the size limit and keep it with the event, replacing any
    earlier file; raises :class:`InputErrors` keyed ``slides``."""
    errors = Errors()
    check_slides(data, errors.add)
    errors.raise_if_any()
    follow_up = follow_up_for(event) or FollowUp(event_id=event.id, texts={})
    folder = files_folder() / str(event.id)
    folder.mkdir(parents=True, exist_ok=True)
    name = f"slides-{secrets.token_hex(8)}.pdf"
    temporary = folder / f".{name}.tmp"
    temporary.write_bytes(data)
    os.replace(temporary, folder / name)
    old = follow_up.slides_path
    follow_up.slides_path = f"{event.id}/{name}"
    follow_up.slides_size = len(data)
    db.session.add(follow_up)
    db.session.flush()
    if old and old != follow_up.slides_path:
        (files_folder() / old).unlink(missing_ok=True)
    audit.record("follow_up_slides", event=event, actor=actor, size=len(data))
    return follow_up


def slides_file(follow_up: FollowUp | None) -> Path | None:
    if follow_up is None or not follow_up.slides_path:
        return None
    path = files_folder() / follow_up.slides_path
    return path if path.is_file() else None


# --- whom, what and when -------------------------------------------------------------------------


def recipients(event: Event) -> list[Registration]:
    """Who gets a follow-up: the confirmed registrants, never the cancelled nor the erased."""
    return list(
        db.session.scalars(
            select(Registration)
            .where(
                Registration.event_id == event.id,
                Registration.status == RegistrationStatus.CONFIRMED,
                Registration.anonymised_at.is_(None),
            )
            .order_by(Registration.id)
        )
    )


def variant_of(registration: Registration, attended_ids: set[int]) -> Variant:
    return Variant.ATTENDED if registration.id in attended_ids else Variant.ABSENT


def default_send_at(event: Event, registration: Registration) -> datetime:
    """The morning after the event, 09:00 in the registrant's zone when known, else the
    event's (a 09:00 the clocks skip becomes the first valid time after it)."""
    return _morning_after(event, registration.timezone)


def _morning_after(event: Event, zone: str | None) -> datetime:
    zone = zone if _known_zone(zone) else event.timezone
    day = clock.to_wall(event.ends_at, zone).date() + timedelta(days=1)
    wall = datetime.combine(day, MORNING_AFTER)
    try:
        return clock.to_instant(wall, zone)
    except clock.WallTimeError:
        return clock.to_instant(wall + timedelta(hours=1), zone)


def _known_zone(name: str | None) -> bool:
    return bool(name) and name in clock.known_zones()


def due_at(follow_up: FollowUp, event: Event, registration: Registration, variant: str):
    chosen = follow_up.send_at(variant) or default_send_at(event, registration)
    return max(chosen, clock.now())


def schedule(event: Event, actor: Organiser | None = None) -> Scheduled:
    """Queue the follow-up for every recipient who has not had it; pending ones are re-planned
    (new times, attendance corrected since). Refused before the event is over, and when a
    variant lacks a text in a language its recipients read."""
    event = lock_event(event.id)
    if not event.is_past():
        raise DomainError(_l("The follow-up can be sent once the event is over."))
    follow_up = follow_up_for(event)
    if follow_up is None:
        raise DomainError(_l("Write the follow-up first."))
    attended_ids = attendance.attended_registration_ids(event)
    people = recipients(event)
    if not people:
        raise DomainError(_l("Nobody would receive this follow-up."))
    _check_languages(follow_up, people, attended_ids)
    if follow_up.attach_certificate:
        certificates.issue_to_attendees(event)
    _withdraw_unclaimed(event)
    counts = _queue_follow_ups(event, follow_up, people, attended_ids)
    follow_up.queued_at = clock.now()
    audit.record(
        "follow_up_scheduled",
        event=event,
        actor=actor,
        attended=counts.attended,
        absent=counts.absent,
    )
    return counts


def _withdraw_unclaimed(event: Event) -> None:
    """Withdraw the follow-ups not sent yet, to plan them afresh, but not one a worker holds
    under its lease right now: it may be on its way, and is then kept (and not queued again)."""
    db.session.execute(
        update(OutboxMessage)
        .where(
            OutboxMessage.event_id == event.id,
            OutboxMessage.kind == MessageKind.FOLLOW_UP,
            OutboxMessage.status.in_(UNSENT),
            or_(
                OutboxMessage.claimed_until.is_(None),
                OutboxMessage.claimed_until <= clock.now(),
            ),
        )
        .values(status=MessageStatus.CANCELLED)
        .execution_options(synchronize_session=False)
    )


def _check_languages(follow_up: FollowUp, people, attended_ids: set[int]) -> None:
    supported = current_app.config["SUPPORTED_LOCALES"]
    default = current_app.config["DEFAULT_LOCALE"]
    missing = set()
    for registration in people:
        variant = variant_of(registration, attended_ids)
        lang = registration.language if registration.language in supported else default
        if not follow_up.text(lang, variant):
            missing.add((variant, lang))
    if missing:
        raise DomainError(
            _l(
                "Write the subject and the message of each variant in every language its "
                "recipients read (missing: %(missing)s).",
                missing=", ".join(f"{variant}/{lang}" for variant, lang in sorted(missing)),
            )
        )


def _queue_follow_ups(
    event: Event, follow_up: FollowUp, people: list[Registration], attended_ids: set[int]
) -> Scheduled:
    """Write the follow-up once, as a message to many: its one live broadcast moves (a new
    time, new chosen times) or, once expanded, a new one covers whoever has not had it. Nothing
    is written per registrant here; the counts tell who would get each variant now."""
    not_before = clock.now()
    payload = {
        "follow_up_id": follow_up.id,
        "send_at": {
            str(variant): _iso(follow_up.send_at(variant))
            for variant in (Variant.ATTENDED, Variant.ABSENT)
        },
        "not_before": not_before.isoformat(),
    }
    due = max(_earliest(event, follow_up, people), not_before)
    live = broadcasts.live(event, (MessageKind.FOLLOW_UP,))
    scheduled = [b for b in live if b.status == BroadcastStatus.SCHEDULED]
    for broadcast in live:
        if broadcast not in scheduled[:1]:
            # Expanding: stop it (its deliveries not claimed were withdrawn just before).
            broadcast.status = BroadcastStatus.WITHDRAWN
            broadcast.finished_at = clock.now()
    if scheduled:
        broadcast = scheduled[0]
        broadcast.payload = payload
        broadcasts.move(broadcast, due)
    else:
        broadcasts.schedule(event, MessageKind.FOLLOW_UP, "follow_up", payload=payload, due_at=due)
    already = set(
        db.session.scalars(
            select(OutboxMessage.registration_id).where(
                OutboxMessage.event_id == event.id,
                OutboxMessage.kind == MessageKind.FOLLOW_UP,
                OutboxMessage.status != MessageStatus.CANCELLED,
            )
        )
    )
    counts = {Variant.ATTENDED: 0, Variant.ABSENT: 0}
    for registration in people:
        if registration.id not in already:
            counts[variant_of(registration, attended_ids)] += 1
    return Scheduled(counts[Variant.ATTENDED], counts[Variant.ABSENT])


def _iso(moment: datetime | None) -> str | None:
    return None if moment is None else moment.isoformat()


def _earliest(event: Event, follow_up: FollowUp, people: list[Registration]) -> datetime:
    """The earliest due time of any recipient's delivery: the broadcast's own."""
    candidates = []
    zones = {registration.timezone for registration in people} | {event.timezone}
    for variant in (Variant.ATTENDED, Variant.ABSENT):
        chosen = follow_up.send_at(variant)
        if chosen is not None:
            candidates.append(chosen)
        else:
            candidates.extend(_morning_after(event, zone) for zone in zones)
    return min(candidates)


#: A follow-up row not withdrawn: sent, on its way, or waiting (one per registrant, ever).
_HAD_ONE_OF = (
    (OutboxMessage.kind == MessageKind.FOLLOW_UP)
    & (OutboxMessage.registration_id == Registration.id)
    & (OutboxMessage.status != MessageStatus.CANCELLED)
)

_ATTENDED = (
    exists()
    .where(Attendance.registration_id == Registration.id, Attendance.attended.is_(True))
    .label("attended")
)


def _follow_up_for(broadcast: Broadcast, event: Event, row: Row) -> broadcasts.Delivery:
    """Each recipient's variant (attendance as it stands when the follow-up is due) and due
    time (the variant's chosen time, else 09:00 the morning after in their zone)."""
    variant = Variant.ATTENDED if row.attended else Variant.ABSENT
    payload = broadcast.payload
    chosen = (payload.get("send_at") or {}).get(str(variant))
    when = datetime.fromisoformat(chosen) if chosen else _morning_after(event, row.timezone)
    not_before = payload.get("not_before")
    if not_before:
        when = max(when, datetime.fromisoformat(not_before))
    return broadcasts.Delivery(
        {"follow_up_id": payload["follow_up_id"], "variant": str(variant)}, when
    )


@broadcasts.audience(
    "follow_up", deliver=_follow_up_for, columns=(Registration.timezone, _ATTENDED)
)
def _followed_up(broadcast: Broadcast) -> list[ColumnElement[bool]]:
    """The confirmed registrants (not the cancelled; the erased are never expanded) who have
    not had the follow-up: a second schedule reaches only whoever the first did not."""
    return [
        Registration.status == RegistrationStatus.CONFIRMED,
        ~exists().where(_HAD_ONE_OF),
    ]


def received(registration: Registration) -> tuple[FollowUp, Variant] | None:
    """The follow-up this registrant was sent (for their personal page), with its variant."""
    message = db.session.scalar(
        select(OutboxMessage)
        .where(
            OutboxMessage.registration_id == registration.id,
            OutboxMessage.kind == MessageKind.FOLLOW_UP,
            OutboxMessage.status == MessageStatus.SENT,
        )
        .order_by(OutboxMessage.id.desc())
        .limit(1)
    )
    if message is None:
        return None
    follow_up = follow_up_for(registration.event)
    if follow_up is None:
        return None
    return follow_up, Variant((message.payload or {}).get("variant", Variant.ABSENT))


@dataclass(frozen=True)
class PersonalView:
    """What the personal page shows after the event: the follow-up this registrant was sent
    (its text in their language, the links), and whether they may download a certificate."""

    subject: str
    body: str
    text_locale: str
    recording_url: str
    survey_url: str
    has_slides: bool
    certificate: bool

    @property
    def shown(self) -> bool:
        return bool(self.body) or self.certificate


def personal_view(registration: Registration) -> PersonalView | None:
    if registration.status == RegistrationStatus.CANCELLED or not registration.event.is_past():
        return None
    certificate = certificates.attended(registration)
    sent = received(registration)
    if sent is None:
        if not certificate:
            return None
        return PersonalView("", "", "", "", "", False, True)
    follow_up, variant = sent
    by_locale = {
        locale: by_variant[variant]
        for locale, by_variant in (follow_up.texts or {}).items()
        if by_variant.get(variant)
    }
    text, locale = best_text(by_locale, registration.language, registration.event.floor_language)
    text = text or {}
    return PersonalView(
        text.get("subject", ""),
        text.get("body", ""),
        locale,
        follow_up.recording_url,
        follow_up.survey_url,
        slides_file(follow_up) is not None,
        certificate,
    )


def counts(event: Event) -> Scheduled:
    """How many would get each variant if it were scheduled now."""
    attended_ids = attendance.attended_registration_ids(event)
    people = recipients(event)
    attended = sum(1 for registration in people if registration.id in attended_ids)
    return Scheduled(attended, len(people) - attended)


__all__ = ["VARIANTS", "FollowUpData", "Scheduled"]
