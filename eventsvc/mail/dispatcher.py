"""Sending the outbox: claim due messages with a lease, build them now, send, record the outcome.

A worker claims a batch by stamping ``claimed_until`` (now + ``MAIL_LEASE_SECONDS``) and
``claimed_by`` on due rows in one atomic ``UPDATE … WHERE id IN (SELECT … FOR UPDATE SKIP
LOCKED)``. On PostgreSQL the skip-locked subselect lets several workers claim side by side without
waiting for or overlapping each other; SQLite has one writer at a time, so the statement is
atomic there by itself. A worker that dies leaves its claims to expire; the next worker takes
them again after the lease, so at most the batch in flight can go out twice.

Each message is built when it is sent (:func:`eventsvc.mail.messages.build` reads the current
event and registration), and the whole batch goes over one SMTP connection.
"""

import logging
import os
import socket
import threading
from collections.abc import Callable, Collection
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from email.message import Message

from flask import Flask, current_app
from sqlalchemy import bindparam, func, or_, select, update
from sqlalchemy.orm import joinedload, lazyload, selectinload

from eventsvc import clock
from eventsvc.extensions import db
from eventsvc.mail import transport
from eventsvc.mail.transport import Outcome
from eventsvc.models import (
    Event,
    EventStatus,
    MessageKind,
    MessageStatus,
    OutboxMessage,
    Registration,
    RegistrationStatus,
)

log = logging.getLogger(__name__)

Builder = Callable[[OutboxMessage], Message]


@dataclass
class DispatchReport:
    sent: int = 0
    retried: int = 0
    failed: int = 0
    batches: int = 0
    cancelled: int = 0

    @property
    def handled(self) -> int:
        return self.sent + self.retried + self.failed + self.cancelled

    def add(self, other: "DispatchReport") -> None:
        self.sent += other.sent
        self.retried += other.retried
        self.failed += other.failed
        self.batches += other.batches
        self.cancelled += other.cancelled


@dataclass
class _Batch:
    report: DispatchReport = field(default_factory=lambda: DispatchReport(batches=1))
    retried_ids: set[int] = field(default_factory=set)
    connection_lost: bool = False


def default_worker_id() -> str:
    return f"{socket.gethostname()}:{os.getpid()}:{threading.get_ident() % 100_000}"[:64]


def _due_condition(now):
    return (
        OutboxMessage.status == MessageStatus.PENDING,
        OutboxMessage.due_at <= now,
        or_(OutboxMessage.claimed_until.is_(None), OutboxMessage.claimed_until <= now),
    )


def due_count() -> int:
    """How many messages are due and not held by a live claim."""
    return db.session.scalar(
        select(func.count(OutboxMessage.id)).where(*_due_condition(clock.now()))
    )


def claim(batch_size: int, worker_id: str, exclude: Collection[int] = ()) -> list[int]:
    """Lease up to ``batch_size`` due messages to ``worker_id`` and commit; return their ids."""
    now = clock.now()
    candidates = (
        select(OutboxMessage.id)
        .where(*_due_condition(now))
        .order_by(OutboxMessage.due_at, OutboxMessage.id)
        .limit(batch_size)
        .with_for_update(skip_locked=True)
    )
    if exclude:
        candidates = candidates.where(OutboxMessage.id.not_in(exclude))
    lease = timedelta(seconds=current_app.config["MAIL_LEASE_SECONDS"])
    statement = (
        update(OutboxMessage)
        .where(OutboxMessage.id.in_(candidates.scalar_subquery()))
        .values(claimed_until=now + lease, claimed_by=worker_id)
        .returning(OutboxMessage.id)
        .execution_options(synchronize_session=False)
    )
    try:
        ids = sorted(db.session.scalars(statement))
        db.session.commit()
    except BaseException:
        db.session.rollback()
        raise
    return ids


def dispatch_due(
    limit: int | None = None,
    worker_id: str | None = None,
    *,
    batch_size: int | None = None,
    build: Builder | None = None,
    on_batch: Callable[[DispatchReport], None] | None = None,
    stop: threading.Event | None = None,
) -> DispatchReport:
    """Send due messages batch by batch until none is due (or ``limit`` were handled).

    A message retried during this run is not taken again in the same run, and the run ends early
    when the mail server cannot be reached: the rest waits for its retry time.
    """
    worker_id = worker_id or default_worker_id()
    batch_size = batch_size or current_app.config["MAIL_BATCH_SIZE"]
    total = DispatchReport()
    retried_ids: set[int] = set()
    while not (stop is not None and stop.is_set()):
        size = batch_size if limit is None else min(batch_size, limit - total.handled)
        if size <= 0:
            break
        ids = claim(size, worker_id, exclude=retried_ids)
        if not ids:
            break
        batch = send_claimed(ids, build=build)
        total.add(batch.report)
        retried_ids |= batch.retried_ids
        if on_batch is not None:
            on_batch(batch.report)
        if batch.connection_lost:
            break
    return total


def send_claimed(ids: list[int], build: Builder | None = None) -> _Batch:
    """Build and send the claimed messages ``ids`` over one connection, then record outcomes.

    The database sees three short transactions per batch, whatever its size: the claim
    (:func:`claim`), one read of the rows with their registrations and events (built before it
    ends, so nothing is loaded per message), and after sending one ``UPDATE`` for every row
    sent and at most one more for the others, committed together.
    """
    build = build or _production_builder()
    batch = _Batch()
    outcomes = _Outcomes(batch)
    outgoing: dict[int, Message] = {}
    for row in _load(ids):
        outcomes.track(row)
        reason = _obsolete_reason(row)
        if reason:
            outcomes.cancel(row.id, reason)
            continue
        try:
            outgoing[row.id] = build(row)
        except Exception as exc:
            log.exception("Could not build outbox message %s (%s)", row.id, row.kind)
            outcomes.fail(row.id, f"Could not build the message: {type(exc).__name__}: {exc}")
    db.session.commit()  # ends the read transaction before the network wait

    results = transport.send_batch(outgoing)

    for key, result in results.items():
        if result.outcome == Outcome.SENT:
            outcomes.sent(key)
        elif result.outcome == Outcome.PERMANENT:
            outcomes.fail(key, result.detail)
        else:
            outcomes.retry_later(key, result.detail)
    batch.connection_lost = any(result.connection_failed for result in results.values())
    try:
        outcomes.write()
        db.session.commit()
    except BaseException:
        db.session.rollback()
        raise
    return batch


def _production_builder() -> Builder:
    from eventsvc.mail import messages

    return messages.build


def _load(ids: list[int]) -> list[OutboxMessage]:
    """The rows with their registrations and events (and the events' texts) in two statements.

    The events' partners are left unloaded: no message shows them.
    """
    if not ids:
        return []
    return list(
        db.session.scalars(
            select(OutboxMessage)
            .where(OutboxMessage.id.in_(ids))
            .order_by(OutboxMessage.id)
            .options(
                joinedload(OutboxMessage.registration)
                .joinedload(Registration.event)
                .options(selectinload(Event.contents), lazyload(Event.partner_links))
            )
        ).unique()
    )


def _obsolete_reason(row: OutboxMessage) -> str:
    """Why a claimed message must not go out any more, or ``""``.

    The services withdraw messages when things change; this is the last look before sending,
    for what changed since (personal data erased, a reminder whose event has begun).
    """
    if row.organiser_id is not None:
        return "" if row.organiser.active else "The organiser account is deactivated."
    registration = row.registration
    if registration is None or registration.anonymised_at is not None:
        return "The registration's personal data has been erased."
    if row.kind == MessageKind.REMINDER:
        event = registration.event
        if registration.status != RegistrationStatus.CONFIRMED:
            return "The registration is no longer confirmed."
        if event.status != EventStatus.PUBLISHED:
            return "The event is no longer published."
        if event.starts_at <= clock.now():
            return "The event has already started."
    return ""


@dataclass(frozen=True)
class _Claimed:
    """What the outcome of a row depends on, kept from the read before sending: after the commit
    that ends it, touching the ORM objects would load each one again."""

    id: int
    kind: MessageKind
    attempts: int
    due_at: datetime


_OUTBOX = OutboxMessage.__table__

#: Rows sent: one statement for the whole batch.
_MARK_SENT = (
    update(_OUTBOX)
    .where(_OUTBOX.c.id.in_(bindparam("ids", expanding=True)))
    .values(
        status=MessageStatus.SENT,
        attempts=_OUTBOX.c.attempts + 1,
        sent_at=bindparam("now"),
        last_error="",
        claimed_until=None,
        claimed_by=None,
    )
    .returning(_OUTBOX.c.id)
)

#: Rows failed, cancelled or put back for later: one ``executemany`` for the batch.
_MARK_OTHER = (
    update(_OUTBOX)
    .where(_OUTBOX.c.id == bindparam("row_id"))
    .values(
        status=bindparam("new_status"),
        attempts=bindparam("new_attempts"),
        due_at=bindparam("new_due_at"),
        last_error=bindparam("reason"),
        claimed_until=None,
        claimed_by=None,
    )
)


class _Outcomes:
    """The batch's outcomes, written with as few statements as the database allows."""

    def __init__(self, batch: _Batch):
        self.batch = batch
        self.claimed: dict[int, _Claimed] = {}
        self.sent_ids: list[int] = []
        self.others: list[dict] = []

    def track(self, row: OutboxMessage) -> None:
        self.claimed[row.id] = _Claimed(row.id, row.kind, row.attempts, row.due_at)

    def sent(self, row_id: int) -> None:
        self.sent_ids.append(row_id)

    def cancel(self, row_id: int, reason: str) -> None:
        claimed = self.claimed[row_id]
        self._other(claimed, MessageStatus.CANCELLED, claimed.attempts, claimed.due_at, reason)
        self.batch.report.cancelled += 1

    def fail(self, row_id: int, reason: str) -> None:
        claimed = self.claimed[row_id]
        self._other(claimed, MessageStatus.FAILED, claimed.attempts + 1, claimed.due_at, reason)
        self.batch.report.failed += 1
        log.warning("Outbox message %s (%s) failed: %s", claimed.id, claimed.kind, reason)

    def retry_later(self, row_id: int, reason: str) -> None:
        """Schedule the next attempt with a growing delay; after the last one, fail the message."""
        claimed = self.claimed[row_id]
        delays = current_app.config["MAIL_RETRY_DELAYS"]
        if claimed.attempts >= len(delays):
            self.fail(row_id, f"Gave up after {claimed.attempts + 1} attempts: {reason}")
            return
        due_at = clock.now() + timedelta(seconds=delays[claimed.attempts])
        self._other(claimed, MessageStatus.PENDING, claimed.attempts + 1, due_at, reason)
        self.batch.retried_ids.add(row_id)
        self.batch.report.retried += 1

    def _other(
        self,
        claimed: _Claimed,
        status: MessageStatus,
        attempts: int,
        due_at: datetime,
        reason: str,
    ) -> None:
        self.others.append(
            {
                "row_id": claimed.id,
                "new_status": status,
                "new_attempts": attempts,
                "new_due_at": due_at,
                "reason": reason,
            }
        )

    def write(self) -> None:
        """Record every outcome. A row deleted meanwhile (with its event) is not updated, and
        not counted as sent."""
        if self.sent_ids:
            marked = db.session.execute(_MARK_SENT, {"ids": self.sent_ids, "now": clock.now()})
            self.batch.report.sent += len(marked.all())
        if self.others:
            db.session.execute(_MARK_OTHER, self.others)


# -- the background thread of `make run` ------------------------------------------------------


def start_background_dispatcher(app: Flask) -> "BackgroundDispatcher":
    """Poll the outbox every ``MAIL_DISPATCHER_INTERVAL`` seconds in a daemon thread.

    For development (``make run``); production runs ``flask send-mail`` as its own service.
    Errors are logged and the thread carries on at the next poll.
    """
    running = app.extensions.get("mail_dispatcher")
    if running is not None and running.thread.is_alive():
        return running
    dispatcher = BackgroundDispatcher(app)
    app.extensions["mail_dispatcher"] = dispatcher
    dispatcher.thread.start()
    return dispatcher


class BackgroundDispatcher:
    def __init__(self, app: Flask):
        self.app = app
        self.interval = float(app.config["MAIL_DISPATCHER_INTERVAL"])
        self.stopping = threading.Event()
        self.thread = threading.Thread(target=self._run, name="mail-dispatcher", daemon=True)

    def stop(self, timeout: float | None = None) -> None:
        self.stopping.set()
        self.thread.join(timeout)

    def _run(self) -> None:
        worker_id = default_worker_id()
        while not self.stopping.is_set():
            try:
                with self.app.app_context():
                    dispatch_due(worker_id=worker_id, stop=self.stopping)
            except Exception:
                self.app.logger.exception("The mail dispatcher failed; it tries again shortly.")
            self.stopping.wait(self.interval)
