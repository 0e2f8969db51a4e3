"""What the organiser dashboard shows: events with their counts, and the mail queue's state."""

from dataclasses import dataclass, field
from datetime import datetime, timedelta

from sqlalchemy import func, select
from sqlalchemy.orm import joinedload

from eventsvc import clock
from eventsvc.extensions import db
from eventsvc.models import (
    Event,
    EventStatus,
    MessageStatus,
    Organiser,
    OutboxMessage,
    Registration,
    RegistrationStatus,
)
from eventsvc.services import assignments, held_mail


@dataclass
class EventCounts:
    confirmed: int = 0
    waitlisted: int = 0
    cancelled: int = 0

    @property
    def total(self) -> int:
        return self.confirmed + self.waitlisted + self.cancelled


@dataclass
class EventRow:
    event: Event
    counts: EventCounts
    is_past: bool

    @property
    def is_draft(self) -> bool:
        return self.event.status == EventStatus.DRAFT

    @property
    def seats_left(self) -> int | None:
        if self.event.capacity is None:
            return None
        return max(self.event.capacity - self.counts.confirmed, 0)


@dataclass
class QueueState:
    pending: int
    due_now: int
    failed: int
    sent_last_day: int
    held: int = 0
    held_registrations: list = field(default_factory=list)
    recent_failures: list[OutboxMessage] = field(default_factory=list)


def registration_counts(event_ids: list[int] | None = None) -> dict[int, EventCounts]:
    """Confirmed, waitlisted and cancelled registrations per event, in one grouped query."""
    query = select(Registration.event_id, Registration.status, func.count(Registration.id))
    if event_ids is not None:
        query = query.where(Registration.event_id.in_(event_ids))
    counts: dict[int, EventCounts] = {}
    for event_id, status, number in db.session.execute(
        query.group_by(Registration.event_id, Registration.status)
    ):
        setattr(
            counts.setdefault(event_id, EventCounts()), RegistrationStatus(status).value, number
        )
    return counts


def event_rows(viewer: Organiser | None = None, now: datetime | None = None) -> list[EventRow]:
    """The events ``viewer`` may see (all without one): upcoming ones soonest first, then past
    ones most recent first."""
    now = now or clock.now()
    query = select(Event).order_by(Event.starts_at)
    visible = assignments.visible_event_ids(viewer) if viewer is not None else None
    if visible is not None:
        query = query.where(Event.id.in_(visible))
    events = list(db.session.scalars(query))
    counts = registration_counts()
    rows = [EventRow(e, counts.get(e.id, EventCounts()), e.is_past(now)) for e in events]
    upcoming = [row for row in rows if not row.is_past]
    past = [row for row in reversed(rows) if row.is_past]
    return upcoming + past


def event_row(event: Event, now: datetime | None = None) -> EventRow:
    counts = registration_counts([event.id]).get(event.id, EventCounts())
    return EventRow(event, counts, event.is_past(now or clock.now()))


def queue_state(
    viewer: Organiser | None = None, now: datetime | None = None, failures_shown: int = 10
) -> QueueState:
    """Counts of the outbox by state, and the latest failures with their reasons (those of the
    events ``viewer`` may see: the recipients' addresses are attendee data)."""
    now = now or clock.now()
    pending = OutboxMessage.status == MessageStatus.PENDING
    counts = db.session.execute(
        select(
            func.count(OutboxMessage.id).filter(pending),
            func.count(OutboxMessage.id).filter(pending, OutboxMessage.due_at <= now),
            func.count(OutboxMessage.id).filter(OutboxMessage.status == MessageStatus.FAILED),
            func.count(OutboxMessage.id).filter(
                OutboxMessage.status == MessageStatus.SENT,
                OutboxMessage.sent_at >= now - timedelta(hours=24),
            ),
        )
    ).one()
    failed = (
        select(OutboxMessage)
        .options(joinedload(OutboxMessage.event))
        .where(OutboxMessage.status == MessageStatus.FAILED)
        .order_by(OutboxMessage.id.desc())
        .limit(failures_shown)
    )
    visible = assignments.visible_event_ids(viewer) if viewer is not None else None
    if visible is not None:
        failed = failed.where(OutboxMessage.event_id.in_(visible))
    failures = list(db.session.scalars(failed))
    return QueueState(
        *counts,
        held=held_mail.held_count(visible),
        held_registrations=held_mail.held_registrations(visible),
        recent_failures=failures,
    )
