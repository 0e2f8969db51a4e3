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
from datetime import timedelta
from email.message import Message

from flask import Flask, current_app
from sqlalchemy import func, or_, select, update

from eventsvc import clock
from eventsvc.extensions import db
from eventsvc.mail import transport
from eventsvc.mail.transport import Outcome
from eventsvc.models import (
    EventStatus,
    MessageKind,
    MessageStatus,
    OutboxMessage,
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
    """Build and send the claimed messages ``ids`` over one connection, then record outcomes."""
    build = build or _production_builder()
    batch = _Batch()
    rows = _load(ids)
    outgoing: dict[int, Message] = {}
    for row in rows:
        reason = _obsolete_reason(row)
        if reason:
            _cancel(row, reason, batch.report)
            continue
        try:
            outgoing[row.id] = build(row)
        except Exception as exc:
            log.exception("Could not build outbox message %s (%s)", row.id, row.kind)
            _fail(row, f"Could not build the message: {type(exc).__name__}: {exc}", batch.report)
    db.session.commit()  # ends the read transaction before the network wait

    results = transport.send_batch(outgoing)

    rows_by_id = {row.id: row for row in _load(list(outgoing))}
    for key, result in results.items():
        row = rows_by_id.get(key)
        if row is None:  # deleted with its event or registration meanwhile
            continue
        if result.outcome == Outcome.SENT:
            _mark_sent(row, batch.report)
        elif result.outcome == Outcome.PERMANENT:
            _fail(row, result.detail, batch.report)
        else:
            _retry_later(row, result.detail, batch)
    batch.connection_lost = any(result.connection_failed for result in results.values())
    db.session.commit()
    return batch


def _production_builder() -> Builder:
    from eventsvc.mail import messages

    return messages.build


def _load(ids: list[int]) -> list[OutboxMessage]:
    if not ids:
        return []
    return list(
        db.session.scalars(
            select(OutboxMessage)
            .where(OutboxMessage.id.in_(ids))
            .order_by(OutboxMessage.id)
            .execution_options(populate_existing=True)
        )
    )


def _obsolete_reason(row: OutboxMessage) -> str:
    """Why a claimed message must not go out any more, or ``""``.

    The services withdraw messages when things change; this is the last look before sending,
    for what changed since (personal data erased, a reminder whose event has begun).
    """
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


def _release(row: OutboxMessage) -> None:
    row.claimed_until = None
    row.claimed_by = None


def _mark_sent(row: OutboxMessage, report: DispatchReport) -> None:
    row.attempts += 1
    row.status = MessageStatus.SENT
    row.sent_at = clock.now()
    row.last_error = ""
    _release(row)
    report.sent += 1


def _fail(row: OutboxMessage, reason: str, report: DispatchReport) -> None:
    row.attempts += 1
    row.status = MessageStatus.FAILED
    row.last_error = reason
    _release(row)
    report.failed += 1
    log.warning("Outbox message %s (%s) failed: %s", row.id, row.kind, reason)


def _cancel(row: OutboxMessage, reason: str, report: DispatchReport) -> None:
    row.status = MessageStatus.CANCELLED
    row.last_error = reason
    _release(row)
    report.cancelled += 1


def _retry_later(row: OutboxMessage, reason: str, batch: _Batch) -> None:
    """Schedule the next attempt with a growing delay; after the last one, fail the message."""
    delays = current_app.config["MAIL_RETRY_DELAYS"]
    if row.attempts >= len(delays):
        _fail(row, f"Gave up after {row.attempts + 1} attempts: {reason}", batch.report)
        return
    delay = delays[row.attempts]
    row.attempts += 1
    row.due_at = clock.now() + timedelta(seconds=delay)
    row.last_error = reason
    _release(row)
    batch.retried_ids.add(row.id)
    batch.report.retried += 1


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
