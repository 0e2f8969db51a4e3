"""The outbox: messages are rows written in the caller's transaction, sent later.

Personal messages (a confirmation, a waitlist notice, a promotion, a personal cancellation) are
one row each, written here. Messages to many (reminders, updates, an event's cancellation,
announcements) are one row per event and purpose in :mod:`eventsvc.services.broadcasts`, which
the workers expand into rows of this table when they are due.

Only writing, withdrawing and rescheduling rows live here, in the caller's transaction: a domain
service, so that services never import :mod:`eventsvc.mail`, which claims, builds and sends them.
"""

import uuid
from datetime import datetime, timedelta

from flask import current_app
from sqlalchemy import select, update

from eventsvc import clock
from eventsvc.extensions import db
from eventsvc.models import (
    UNSENT,
    Event,
    MessageKind,
    MessageStatus,
    Organiser,
    OutboxMessage,
    Registration,
)


def new_message_id() -> str:
    """A Message-ID fixed when the row is written, so retries never look like new mail."""
    return f"<{uuid.uuid4().hex}@{current_app.config['CALENDAR_DOMAIN']}>"


def enqueue(
    kind: MessageKind,
    registration: Registration,
    *,
    due_at: datetime | None = None,
    payload: dict | None = None,
) -> OutboxMessage:
    """Add a message for ``registration`` to the current transaction; the caller commits."""
    message = OutboxMessage(
        kind=kind,
        registration=registration,
        event_id=registration.event_id or registration.event.id,
        due_at=due_at or clock.now(),
        payload=payload or {},
        message_id=new_message_id(),
    )
    db.session.add(message)
    return message


def enqueue_for_organiser(
    kind: MessageKind, organiser: Organiser, *, payload: dict | None = None
) -> OutboxMessage:
    """Add a message to an organiser account (invitation, password link, sign-in notice)."""
    message = OutboxMessage(
        kind=kind,
        organiser=organiser,
        due_at=clock.now(),
        payload=payload or {},
        message_id=new_message_id(),
    )
    db.session.add(message)
    return message


def drop_pending(registration: Registration, kinds: tuple[MessageKind, ...] | None = None) -> None:
    """Withdraw messages not yet sent to ``registration`` (all of them, or those ``kinds``)."""
    statement = (
        update(OutboxMessage)
        .where(
            OutboxMessage.registration_id == registration.id,
            OutboxMessage.status.in_(UNSENT),
        )
        .values(status=MessageStatus.CANCELLED)
    )
    if kinds:
        statement = statement.where(OutboxMessage.kind.in_(kinds))
    db.session.execute(statement)


def drop_pending_for_event(event: Event, kinds: tuple[MessageKind, ...]) -> None:
    db.session.execute(
        update(OutboxMessage)
        .where(
            OutboxMessage.event_id == event.id,
            OutboxMessage.status.in_(UNSENT),
            OutboxMessage.kind.in_(kinds),
        )
        .values(status=MessageStatus.CANCELLED)
    )


def recently_queued(
    registration: Registration, kinds: tuple[MessageKind, ...], within: timedelta
) -> bool:
    """Whether a message of ``kinds`` was queued for ``registration`` in the last ``within``."""
    since = clock.now() - within
    found = db.session.scalar(
        select(OutboxMessage.id)
        .where(
            OutboxMessage.registration_id == registration.id,
            OutboxMessage.kind.in_(kinds),
            OutboxMessage.created_at >= since,
            OutboxMessage.status != MessageStatus.CANCELLED,
        )
        .limit(1)
    )
    return found is not None
