"""Mail held by the public form's caps (see :func:`registrations.register`): listed on the
dashboard, where an organiser lets it go or discards it."""

from collections import Counter
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func, select, update

from eventsvc import clock
from eventsvc.extensions import db
from eventsvc.models import Event, MessageKind, MessageStatus, OutboxMessage, Registration
from eventsvc.models.organiser import Organiser
from eventsvc.services import audit

RELEASED = "held_mail_released"
DISCARDED = "held_mail_discarded"


@dataclass
class HeldRegistration:
    """One registration whose messages wait: who, for which event, how many, since when."""

    registration: Registration
    event: Event
    messages: int
    since: datetime


def _held_in(visible_event_ids):
    """Held messages, of the events an organiser may see (``visible_event_ids``, a subquery
    from :func:`assignments.visible_event_ids`; all when ``None``: an admin)."""
    held = OutboxMessage.status == MessageStatus.HELD
    if visible_event_ids is None:
        return held
    return held & OutboxMessage.event_id.in_(visible_event_ids)


def held_count(visible_event_ids=None) -> int:
    return db.session.scalar(
        select(func.count(OutboxMessage.id)).where(_held_in(visible_event_ids))
    )


def held_registrations(visible_event_ids=None, limit: int = 100) -> list[HeldRegistration]:
    """Registrations with held messages, the longest-waiting first."""
    rows = db.session.execute(
        select(
            OutboxMessage.registration_id,
            func.count(OutboxMessage.id),
            func.min(OutboxMessage.created_at),
        )
        .where(_held_in(visible_event_ids))
        .group_by(OutboxMessage.registration_id)
        .order_by(func.min(OutboxMessage.created_at), OutboxMessage.registration_id)
        .limit(limit)
    ).all()
    registrations = {
        r.id: r
        for r in db.session.scalars(
            select(Registration).where(Registration.id.in_([row[0] for row in rows]))
        )
    }
    return [
        HeldRegistration(registrations[rid], registrations[rid].event, count, since)
        for rid, count, since in rows
    ]


def release(
    registration_ids: list[int] | None, actor: Organiser | None, visible_event_ids=None
) -> int:
    """Let the held messages of ``registration_ids`` (all when ``None``) go: they are sent as
    soon as the worker passes, except reminders whose time has gone by, which are dropped."""
    now = clock.now()
    held = _held(registration_ids, visible_event_ids)
    late = (OutboxMessage.kind == MessageKind.REMINDER) & (OutboxMessage.due_at < now)
    db.session.execute(
        update(OutboxMessage)
        .where(held, late)
        .values(status=MessageStatus.CANCELLED)
        .execution_options(synchronize_session=False)
    )
    return _finish(held, MessageStatus.PENDING, RELEASED, actor)


def discard(
    registration_ids: list[int] | None, actor: Organiser | None, visible_event_ids=None
) -> int:
    """Never send the held messages of ``registration_ids`` (all when ``None``)."""
    held = _held(registration_ids, visible_event_ids)
    return _finish(held, MessageStatus.CANCELLED, DISCARDED, actor)


def _held(registration_ids: list[int] | None, visible_event_ids=None):
    condition = _held_in(visible_event_ids)
    if registration_ids is not None:
        condition = condition & OutboxMessage.registration_id.in_(registration_ids)
    return condition


def _finish(held, status: MessageStatus, action: str, actor: Organiser | None) -> int:
    per_event = Counter(
        dict(
            db.session.execute(
                select(OutboxMessage.event_id, func.count(OutboxMessage.id))
                .where(held)
                .group_by(OutboxMessage.event_id)
            ).all()
        )
    )
    db.session.execute(
        update(OutboxMessage)
        .where(held)
        .values(status=status)
        .execution_options(synchronize_session=False)
    )
    for event_id, count in per_event.items():
        audit.record(action, db.session.get(Event, event_id), actor, messages=count)
    return sum(per_event.values())
