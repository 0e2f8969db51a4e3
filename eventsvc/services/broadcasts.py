"""Messages to many, written once: one row per event and purpose, expanded when due.

A reminder, an updated invite, the cancellation of an event and an announcement reach every
registrant a rule names (the *audience*). The organiser's request writes one
:class:`~eventsvc.models.Broadcast` (what, when, to whom by rule); moving the event moves that
row, withdrawing it withdraws that row, whatever the size of the audience. When it is due, a
mail worker calls :func:`expand_next`, which writes one outbox row per recipient, a chunk of
registrations at a time, in the transaction that moves the broadcast's cursor: a worker killed
mid-expansion leaves either the whole chunk and its cursor or neither, and the unique key
(broadcast, registration) of the outbox refuses a second delivery to anyone. The deliveries are
then sent like any other outbox row, rendered at send time in each recipient's language.

Personal messages (confirmation, waitlist, promotion, a personal cancellation) stay one row each,
written by :mod:`eventsvc.services.outbox` in the registrant's transaction.

A new purpose (a follow-up, a new-event notice) is one function registered with
:func:`audience`: the conditions on :class:`Registration` that name its recipients, and, when
the message differs per recipient, a ``deliver`` function giving each one's payload.
"""

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta

from flask import current_app
from sqlalchemy import ColumnElement, Row, Select, exists, func, insert, select, update
from sqlalchemy.dialects import postgresql, sqlite

from eventsvc import clock
from eventsvc.extensions import db
from eventsvc.models import (
    LIVE,
    UNSENT,
    Broadcast,
    BroadcastStatus,
    Event,
    EventStatus,
    MessageKind,
    MessageStatus,
    Organiser,
    OutboxMessage,
    Registration,
    RegistrationStatus,
    Subscription,
)
from eventsvc.models.broadcast import LIVE_SQL
from eventsvc.services import audit, outbox
from eventsvc.services.inputs.reminders import ReminderSettings
from eventsvc.services.locking import lock_event, skip_locked

Conditions = Callable[[Broadcast], list[ColumnElement[bool]]]


@dataclass(frozen=True)
class Delivery:
    """One recipient's payload and own due time (a follow-up at 09:00 in their zone)."""

    payload: dict
    due_at: datetime


#: A recipient's payload (the broadcast's by default), a :class:`Delivery` when it is due at its
#: own time (never before the broadcast's), or ``None`` to leave them out.
Deliver = Callable[[Broadcast, Event, Row], dict | Delivery | None]


#: Who an audience's recipients are: the event's registrations (the default), or the
#: subscriptions to new events (the outbox's unique key (broadcast, subscription) then holds).
REGISTRATIONS, SUBSCRIPTIONS = "registration", "subscription"


@dataclass(frozen=True)
class Audience:
    conditions: Conditions
    deliver: Deliver | None = None
    #: Further columns the expansion reads for ``deliver`` (besides the recipient's id, and a
    #: registration's status and language).
    columns: tuple = ()
    recipients: str = REGISTRATIONS


#: Keys of a broadcast's payload that shape its audience, not the message.
_RULE_KEYS = frozenset({"statuses", "title_locales"})

#: The audiences by name: ``Broadcast.audience`` is one of these keys.
AUDIENCES: dict[str, Audience] = {}


def audience(
    name: str,
    *,
    deliver: Deliver | None = None,
    columns: tuple = (),
    recipients: str = REGISTRATIONS,
):
    """Register the function giving the conditions on :class:`Registration` of audience
    ``name`` (besides the event's registrations whose data are not erased), or, with
    ``recipients=SUBSCRIPTIONS``, on :class:`Subscription`; ``columns`` are read with each
    recipient for ``deliver``."""

    def register(conditions: Conditions) -> Conditions:
        AUDIENCES[name] = Audience(conditions, deliver, tuple(columns), recipients)
        return conditions

    return register


def _statuses(broadcast: Broadcast, default: tuple[str, ...]) -> ColumnElement[bool]:
    statuses = broadcast.payload.get("statuses") or default
    return Registration.status.in_([RegistrationStatus(s) for s in statuses])


_HELD = exists().where(
    OutboxMessage.registration_id == Registration.id,
    OutboxMessage.status == MessageStatus.HELD,
)


@audience("reminder")
def _reminded(broadcast: Broadcast) -> list[ColumnElement[bool]]:
    """Everyone with a place when it is due, but a place held for an unconfirmed address and
    those whose mail is held (beyond the public form's caps) until an organiser lets it go."""
    return [
        Registration.status == RegistrationStatus.CONFIRMED,
        Registration.address_hold_until.is_(None),
        ~_HELD,
    ]


def _update_for(broadcast: Broadcast, event: Event, row: Row) -> dict | None:
    """A new title is news only to those who read the event in a language whose title changed."""
    payload = dict(broadcast.payload)
    payload.pop("statuses", None)
    title_locales = payload.pop("title_locales", None)
    changes = list(payload.get("changes") or ())
    reads_changed_title = title_locales is None or (
        event.content(row.language).locale in title_locales
    )
    if "title" in changes and not reads_changed_title:
        changes.remove("title")
    if not changes:
        return None
    payload["changes"] = changes
    return payload


@audience("update", deliver=_update_for)
def _told_of_change(broadcast: Broadcast) -> list[ColumnElement[bool]]:
    return [_statuses(broadcast, ("confirmed",))]


def _cancellation_for(broadcast: Broadcast, event: Event, row: Row) -> dict | None:
    """Only a confirmed registrant's calendar holds the event: the waitlisted get the notice
    without a METHOD:CANCEL for an entry they never had."""
    payload = {k: v for k, v in broadcast.payload.items() if k not in _RULE_KEYS}
    return {**payload, "calendar": row.status == RegistrationStatus.CONFIRMED}


@audience("cancellation", deliver=_cancellation_for)
def _told_of_cancellation(broadcast: Broadcast) -> list[ColumnElement[bool]]:
    return [_statuses(broadcast, ("confirmed", "waitlisted"))]


@audience("announcement")
def _announced_to(broadcast: Broadcast) -> list[ColumnElement[bool]]:
    return [_statuses(broadcast, ("confirmed",))]


# -- writing: the organiser's side, one row whatever the audience ----------------------------


def latest_registration_id() -> int:
    """The newest registration so far: ``upto`` for a message to the people registered now.

    Taken under the event's lock, so every registration of the event before the message has an
    id at most this one and every later one a greater id."""
    return db.session.scalar(select(func.max(Registration.id))) or 0


def schedule(
    event: Event | None,
    kind: MessageKind,
    audience_name: str,
    *,
    payload: dict | None = None,
    due_at: datetime | None = None,
    registered_now: bool = False,
    once_key: str | None = None,
) -> Broadcast:
    """Write one broadcast of ``kind`` to ``audience_name``; with ``registered_now`` only those
    registered at this moment are covered, else whoever the rule covers when it is due.

    With ``once_key``, there is at most one live broadcast of that key: when one exists (or
    another transaction writes it at the same instant) that one is returned, locked for this
    transaction, and nothing is written. The insert gives way on the unique index
    (``ON CONFLICT DO NOTHING``: on PostgreSQL it waits for the other writer's commit) rather
    than checking first, which two transactions could both pass.
    """
    if audience_name not in AUDIENCES:
        raise KeyError(f"No audience named {audience_name!r}")
    values = {
        "event_id": None if event is None else event.id,
        "kind": kind,
        "audience": audience_name,
        "status": BroadcastStatus.SCHEDULED,
        "due_at": due_at or clock.now(),
        "payload": payload or {},
        "upto_registration_id": latest_registration_id() if registered_now else None,
        "cursor": 0,
        "written": 0,
    }
    if once_key is not None:
        return _schedule_once(once_key, values)
    broadcast = Broadcast(**values)
    db.session.add(broadcast)
    db.session.flush()
    return broadcast


def _schedule_once(once_key: str, values: dict) -> Broadcast:
    db.session.flush()  # a broadcast withdrawn in this transaction leaves the index first
    dialect = db.session.get_bind().dialect.name
    insert_for = postgresql.insert if dialect == "postgresql" else sqlite.insert
    db.session.execute(
        insert_for(Broadcast)
        .values(once_key=once_key, created_at=clock.now(), **values)
        .on_conflict_do_nothing(index_elements=[Broadcast.once_key], index_where=LIVE_SQL)
    )
    return db.session.scalars(
        select(Broadcast)
        .where(Broadcast.once_key == once_key, Broadcast.status.in_(LIVE))
        .with_for_update()
        .execution_options(populate_existing=True)
    ).one()


def move(broadcast: Broadcast, due_at: datetime) -> None:
    """A new time for a broadcast not yet expanded (one row, whatever the audience)."""
    if broadcast.status != BroadcastStatus.SCHEDULED:
        raise ValueError("Only a broadcast not yet started can be moved.")
    broadcast.due_at = due_at


def withdraw(broadcast: Broadcast) -> int:
    """Stop ``broadcast``: nothing more is written for it, and the deliveries written but not
    sent are withdrawn; returns how many of those there were."""
    if broadcast.status != BroadcastStatus.WITHDRAWN:
        broadcast.status = BroadcastStatus.WITHDRAWN
        broadcast.finished_at = clock.now()
    result = db.session.execute(
        update(OutboxMessage)
        .where(OutboxMessage.broadcast_id == broadcast.id, OutboxMessage.status.in_(UNSENT))
        .values(status=MessageStatus.CANCELLED)
        .execution_options(synchronize_session=False)
    )
    return result.rowcount or 0


def live(event: Event, kinds: Iterable[MessageKind]) -> list[Broadcast]:
    """The event's broadcasts of ``kinds`` that may still write deliveries."""
    return list(
        db.session.scalars(
            select(Broadcast)
            .where(
                Broadcast.event_id == event.id,
                Broadcast.kind.in_(list(kinds)),
                Broadcast.status.in_(LIVE),
            )
            .order_by(Broadcast.id)
        )
    )


def withdraw_for_event(event: Event, kinds: tuple[MessageKind, ...]) -> None:
    """Withdraw the event's broadcasts of ``kinds`` still going, and every unsent delivery of
    those kinds (a done broadcast's rows not yet sent, a personal row of the same kind)."""
    for broadcast in live(event, kinds):
        withdraw(broadcast)
    outbox.drop_pending_for_event(event, kinds)


def unsent(event: Event, kind: MessageKind) -> list[Broadcast]:
    """The event's broadcasts of ``kind`` that have not all gone out: still to expand, or with
    deliveries written and not sent (what a new update folds in)."""
    pending = exists().where(
        OutboxMessage.broadcast_id == Broadcast.id, OutboxMessage.status.in_(UNSENT)
    )
    return list(
        db.session.scalars(
            select(Broadcast)
            .where(
                Broadcast.event_id == event.id,
                Broadcast.kind == kind,
                Broadcast.status != BroadcastStatus.WITHDRAWN,
                Broadcast.status.in_(LIVE) | pending,
            )
            .order_by(Broadcast.id)
        )
    )


# -- reminders ----------------------------------------------------------------------------


def reminder_offsets(event: Event) -> list[int]:
    """Minutes before the start, latest reminder last: the event's own, or the site's."""
    offsets = event.reminder_offsets
    if offsets is None:
        offsets = current_app.config["REMINDER_OFFSETS"]
    return sorted({int(offset) for offset in offsets}, reverse=True)


def sync_reminders(event: Event) -> None:
    """Make the event's reminder broadcasts match its time, status and offsets.

    One row per offset: a reminder not yet started moves with the time; one whose time has come
    and gone, or whose offset was removed, is withdrawn; a missing one ahead is written. Nothing
    is written per registrant: whoever has a place when it is due is reminded.
    """
    current = {int(b.payload.get("offset", -1)): b for b in live(event, (MessageKind.REMINDER,))}
    if event.status != EventStatus.PUBLISHED:
        for broadcast in current.values():
            withdraw(broadcast)
        return
    now = clock.now()
    for offset in reminder_offsets(event):
        due_at = event.starts_at - timedelta(minutes=offset)
        broadcast = current.pop(offset, None)
        if broadcast is not None and broadcast.due_at == due_at:
            continue  # unchanged: left alone even when due and about to be expanded
        if broadcast is not None:
            if broadcast.status == BroadcastStatus.SCHEDULED and due_at > now:
                move(broadcast, due_at)
                continue
            withdraw(broadcast)
        if due_at > now:
            schedule(
                event,
                MessageKind.REMINDER,
                "reminder",
                payload={"offset": offset},
                due_at=due_at,
                once_key=f"reminder:{event.id}:{offset}",
            )
    for broadcast in current.values():
        withdraw(broadcast)


def set_reminders(
    event: Event, settings: ReminderSettings, actor: Organiser | None = None
) -> list[int]:
    """Store the event's reminder offsets and texts and move its reminder rows to match: a few
    rows per event, nothing per registrant. Returns the offsets now in force."""
    event = lock_event(event.id)
    before = (event.reminder_offsets, dict(event.reminder_texts or {}))
    event.reminder_offsets = settings.offsets
    event.reminder_texts = dict(settings.texts)
    sync_reminders(event)
    if before != (event.reminder_offsets, event.reminder_texts):
        audit.record(
            "reminders_changed",
            event=event,
            actor=actor,
            offsets=reminder_offsets(event),
            texts=sorted(event.reminder_texts),
        )
    return reminder_offsets(event)


# -- expanding: the worker's side -----------------------------------------------------------


@dataclass(frozen=True)
class Expansion:
    broadcast_id: int
    written: int
    finished: bool


def _claim_next(now: datetime) -> int | None:
    """Take the next due broadcast for this transaction, or ``None``.

    Then one ``UPDATE … WHERE id IN (…)``, on PostgreSQL the ids of a ``MATERIALIZED`` CTE
    ``SELECT … LIMIT 1 FOR UPDATE SKIP LOCKED`` (:func:`~eventsvc.services.locking.skip_locked`,
    as the outbox's claim: a sub-select may run more than once in one statement). On PostgreSQL
    the row stays locked until the commit and other workers pass over it to the next; on SQLite
    the update takes the database's one write lock first, before anything is read.
    """
    due = (
        select(Broadcast.id)
        .where(Broadcast.status.in_(LIVE), Broadcast.due_at <= now)
        .order_by(Broadcast.due_at, Broadcast.id)
        .limit(1)
    )
    # A plain read first: when nothing is due (nearly always) no write lock is taken, which on
    # SQLite would stop every other writer for the length of the transaction.
    if db.session.scalar(due) is None:
        return None
    candidate = skip_locked(due, "due_broadcast")
    return db.session.scalar(
        update(Broadcast)
        .where(Broadcast.id.in_(candidate))
        .values(status=BroadcastStatus.EXPANDING)
        .returning(Broadcast.id)
        .execution_options(synchronize_session=False)
    )


def expand_next(now: datetime, chunk: int, *, after_write: Callable[[], None] | None = None):
    """Write the deliveries of the next chunk of the next due broadcast; the caller commits.

    Returns an :class:`Expansion`, or ``None`` when no broadcast is due. ``after_write`` runs
    after the chunk is written, before the cursor moves (the crash tests stop a worker there).
    """
    broadcast_id = _claim_next(now)
    if broadcast_id is None:
        return None
    broadcast = db.session.get(Broadcast, broadcast_id, populate_existing=True)
    event = broadcast.event
    if _skip_whole(broadcast, event, now):
        _finish(broadcast)
        return Expansion(broadcast.id, 0, True)
    rule = AUDIENCES[broadcast.audience]
    query = _recipients(broadcast, rule).limit(chunk)
    rows = db.session.execute(query).all()
    shared = {k: v for k, v in broadcast.payload.items() if k not in _RULE_KEYS}
    recipient_key = f"{rule.recipients}_id"
    deliveries = []
    created_at = clock.now()
    for row in rows:
        payload = rule.deliver(broadcast, event, row) if rule.deliver else shared
        if payload is None:
            continue
        due_at = broadcast.due_at
        if isinstance(payload, Delivery):
            payload, due_at = payload.payload, max(payload.due_at, broadcast.due_at)
        deliveries.append(
            {
                "kind": broadcast.kind,
                "status": MessageStatus.PENDING,
                recipient_key: row.id,
                "event_id": broadcast.event_id,
                "broadcast_id": broadcast.id,
                "due_at": due_at,
                "payload": payload,
                "message_id": outbox.new_message_id(),
                "attempts": 0,
                "last_error": "",
                "created_at": created_at,
            }
        )
    if deliveries:
        # Core, not the ORM's bulk insert: no identity map nor object per row.
        db.session.execute(insert(OutboxMessage.__table__), deliveries)
    if after_write is not None:
        after_write()
    broadcast.written += len(deliveries)
    if rows:
        broadcast.cursor = rows[-1].id
    finished = len(rows) < chunk
    if finished:
        _finish(broadcast)
    db.session.flush()
    return Expansion(broadcast.id, len(deliveries), finished)


def _recipients(broadcast: Broadcast, rule: Audience) -> Select:
    """The next recipients of ``broadcast`` after its cursor, in id order."""
    if rule.recipients == SUBSCRIPTIONS:
        return (
            select(Subscription.id, *rule.columns)
            .where(Subscription.id > broadcast.cursor, *rule.conditions(broadcast))
            .order_by(Subscription.id)
        )
    query = (
        select(Registration.id, Registration.status, Registration.language, *rule.columns)
        .where(
            Registration.event_id == broadcast.event_id,
            Registration.id > broadcast.cursor,
            Registration.anonymised_at.is_(None),
            *rule.conditions(broadcast),
        )
        .order_by(Registration.id)
    )
    if broadcast.upto_registration_id is not None:
        query = query.where(Registration.id <= broadcast.upto_registration_id)
    return query


def _skip_whole(broadcast: Broadcast, event: Event, now: datetime) -> bool:
    """A reminder whose event is off or begun, or that a later due reminder of the same event
    supersedes (after a worker outage: only the latest goes out)."""
    if broadcast.kind != MessageKind.REMINDER:
        return False
    if event.status != EventStatus.PUBLISHED or event.starts_at <= now:
        return True
    later = db.session.scalar(
        select(Broadcast.id)
        .where(
            Broadcast.event_id == broadcast.event_id,
            Broadcast.kind == MessageKind.REMINDER,
            Broadcast.status == BroadcastStatus.SCHEDULED,
            Broadcast.due_at > broadcast.due_at,
            Broadcast.due_at <= now,
        )
        .limit(1)
    )
    return later is not None


def _finish(broadcast: Broadcast) -> None:
    broadcast.status = BroadcastStatus.DONE
    broadcast.finished_at = clock.now()


def due_broadcasts(now: datetime) -> int:
    """How many broadcasts are due and not fully expanded (for the dashboard and the logs)."""
    return db.session.scalar(
        select(func.count(Broadcast.id)).where(Broadcast.status.in_(LIVE), Broadcast.due_at <= now)
    )
