"""Sending the outbox: claim due messages with a lease, build them now, send, record the outcome.

A worker claims a batch by stamping ``claimed_until`` (now + ``MAIL_LEASE_SECONDS``) and
``claimed_by`` on due rows in one atomic ``UPDATE … WHERE id IN (…)``, on PostgreSQL the ids
of a ``MATERIALIZED`` CTE ``SELECT … LIMIT n FOR UPDATE SKIP LOCKED``
(:func:`eventsvc.services.locking.skip_locked`: a plain sub-select may run more than once and
claim more than ``n``). On PostgreSQL skipping locked rows lets several workers claim side by
side without waiting for or overlapping each other; SQLite has one writer at a time, so the
statement is atomic there by itself. A worker that dies leaves its claims to expire; the next
worker takes them again after the lease. While it sends, the worker renews its lease and writes
outcomes every few messages (retrying the write when the database connection drops), so a live
worker's claims never expire and a dead one leaves at most a few messages whose outcome was not
written. Leases and due times are compared with the database's clock (``now()`` on PostgreSQL),
so a worker whose clock is wrong neither steals claims nor delays mail.

Each message is built just before it is sent (:func:`eventsvc.mail.messages.build` reads the
current event and registration), and each batch goes over an SMTP connection of its own,
``MAIL_CONNECTIONS`` batches at a time: a thread of the batch's own sends each message as soon
as it is built and records its outcome, while the next is built (:class:`_Sender`); the next
batch is claimed and built while the last ones are sent (:func:`dispatch_due`). Only the
message being sent counts an attempt: when the connection drops, the batch ends and the messages
after it go back to the queue untouched. A message whose body went out but whose answer never
came is recorded as an unknown outcome and retried with the same Message-ID.
"""

import atexit
import contextlib
import os
import queue
import socket
import threading
import time
from collections import deque
from collections.abc import Callable, Collection
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from email.message import Message

from flask import Flask, current_app
from sqlalchemy import bindparam, func, or_, select, update
from sqlalchemy.exc import DBAPIError, OperationalError
from sqlalchemy.orm import joinedload, lazyload, selectinload

from eventsvc import clock
from eventsvc.extensions import db
from eventsvc.mail import messages, transport
from eventsvc.mail.logs import masked_logger
from eventsvc.mail.polling import poll
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
from eventsvc.services import broadcasts
from eventsvc.services.locking import skip_locked
from eventsvc.unit_of_work import unit_of_work

log = masked_logger(__name__)

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
    stopped: bool = False
    #: Claimed behind a batch that lost its connection or was stopped: given back unsent.
    given_back: bool = False


def default_worker_id() -> str:
    return f"{socket.gethostname()}:{os.getpid()}:{threading.get_ident() % 100_000}"[:64]


def _due_condition(now):
    return (
        OutboxMessage.status == MessageStatus.PENDING,
        OutboxMessage.due_at <= now,
        or_(OutboxMessage.claimed_until.is_(None), OutboxMessage.claimed_until <= now),
    )


def database_now() -> datetime:
    """The database's clock (one for every worker), or the frozen clock in tests.

    On SQLite, the database and its workers share one host, so the host's clock is the
    database's.
    """
    if clock.is_frozen() or db.engine.dialect.name != "postgresql":
        return clock.now()
    return db.session.scalar(select(func.now()))


def due_count() -> int:
    """How many messages are due and not held by a live claim."""
    return db.session.scalar(
        select(func.count(OutboxMessage.id)).where(*_due_condition(database_now()))
    )


def claim(batch_size: int, worker_id: str, exclude: Collection[int] = ()) -> list[int]:
    """Lease up to ``batch_size`` due messages to ``worker_id`` and commit; return their ids."""
    now = database_now()
    candidates = (
        select(OutboxMessage.id)
        .where(*_due_condition(now))
        .order_by(OutboxMessage.due_at, OutboxMessage.id)
        .limit(batch_size)
    )
    if exclude:
        candidates = candidates.where(OutboxMessage.id.not_in(exclude))
    claimable = skip_locked(candidates, "claimable")
    lease = timedelta(seconds=current_app.config["MAIL_LEASE_SECONDS"])
    statement = (
        update(OutboxMessage)
        .where(OutboxMessage.id.in_(claimable))
        .values(claimed_until=now + lease, claimed_by=worker_id)
        .returning(OutboxMessage.id)
        .execution_options(synchronize_session=False)
    )
    with unit_of_work():
        ids = sorted(db.session.scalars(statement))
    return ids


def expand_due(
    chunk: int | None = None, *, after_write: Callable[[], None] | None = None
) -> broadcasts.Expansion | None:
    """Write the deliveries of one chunk of the next due message to many, and commit them with
    its cursor (:func:`eventsvc.services.broadcasts.expand_next`); ``None`` when none is due.

    Called before each claim, so a large broadcast is written a chunk at a time between batches
    sent: memory stays that of one chunk, and sending starts with the first.
    """
    chunk = chunk or int(current_app.config["MAIL_EXPANSION_CHUNK"])
    with unit_of_work():
        return broadcasts.expand_next(database_now(), chunk, after_write=after_write)


def expand_all(chunk: int | None = None) -> int:
    """Expand every due broadcast to the end; returns the deliveries written (tests, CLI)."""
    written = 0
    while (expansion := expand_due(chunk)) is not None:
        written += expansion.written
    return written


def dispatch_due(
    limit: int | None = None,
    worker_id: str | None = None,
    *,
    batch_size: int | None = None,
    build: Builder | None = None,
    on_batch: Callable[[DispatchReport], None] | None = None,
    stop: threading.Event | None = None,
) -> DispatchReport:
    """Send due messages batch by batch until none is due (or ``limit`` were claimed).

    Batches overlap: the next one is claimed and built while the last ones are still being
    sent, each over a connection of its own, ``MAIL_CONNECTIONS`` at a time; a batch's sending
    starts when that of the batch ``MAIL_CONNECTIONS`` before it has ended. So the sending never
    waits for a claim and a load between batches, and while one connection waits for the
    server's answer another is sending (``bench/README.md``, benchmark 3; over a network, each
    answer costs a round trip). A message retried during this run is not taken again in the
    same run, and the run ends early when the mail server cannot be reached: every connection
    finishes the message in flight and the rest waits for its retry time (a batch already
    claimed behind the one that lost the connection is given back untouched).
    """
    worker_id = worker_id or default_worker_id()
    batch_size = batch_size or current_app.config["MAIL_BATCH_SIZE"]
    total = DispatchReport()
    #: Shared with the batches' sending threads, which add each retry as they record it: the
    #: next claim, made while the last batch is sent, leaves them out.
    retried_ids: set[int] = set()
    #: Set by the sending thread that lost its connection: the others send nothing more.
    halt = threading.Event()
    connections = max(int(current_app.config["MAIL_CONNECTIONS"]), 1)
    claimed = 0
    in_flight: deque[_InFlight] = deque()

    def finish(batch_in_flight: _InFlight) -> bool:
        """Wait for a batch's sending to end and count it; whether the run goes on."""
        batch = batch_in_flight.finish()
        if batch.given_back:  # not a batch sent; what it cancelled or failed still counts
            batch.report.batches = 0
            total.add(batch.report)
            return False
        total.add(batch.report)
        if on_batch is not None:
            on_batch(batch.report)
        return not (batch.connection_lost or batch.stopped)

    try:
        while not (stop is not None and stop.is_set()):
            size = batch_size if limit is None else min(batch_size, limit - claimed)
            if size <= 0:
                break
            expanded = expand_due()
            ids = claim(size, worker_id, exclude=set(retried_ids))
            if not ids:
                if expanded is not None:
                    continue
                break
            claimed += len(ids)
            # The batch sent over the same connection slot before this one, if still in flight.
            after = in_flight[-connections] if len(in_flight) >= connections else None
            in_flight.append(
                _start_batch(
                    ids,
                    build,
                    worker_id=worker_id,
                    stop=stop,
                    after=after,
                    retried=retried_ids,
                    halt=halt,
                )
            )
            if len(in_flight) > connections and not finish(in_flight.popleft()):
                break
    finally:
        _finish_all(in_flight, finish)
    return total


def _finish_all(in_flight: "deque[_InFlight]", finish: Callable[["_InFlight"], bool]) -> None:
    """Wait for every batch still in flight, in claim order; the first error is raised once all
    have ended (each releases what it did not try)."""
    error: BaseException | None = None
    while in_flight:
        try:
            finish(in_flight.popleft())
        except BaseException as exc:
            error = error or exc
    if error is not None:
        raise error


def _start_batch(
    ids: list[int],
    build: Builder | None,
    *,
    worker_id: str,
    stop: threading.Event | None,
    after: "_InFlight | None",
    retried: set[int],
    halt: threading.Event,
) -> "_InFlight":
    """Build the claimed messages ``ids`` and hand each to the batch's sending thread
    (:class:`_Sender`) as soon as it is built; return once all are built, the sending still
    under way (:meth:`_InFlight.finish` waits for it).

    Building and sending overlap: the sending thread sends one message over the batch's
    connection and records its outcome (in small groups) while the next one is built. Building
    is CPU; sending is mostly waiting for the server's answers, which releases the GIL. Done one
    after the other, a worker spent half its time idle on a server as fast as itself.
    ``after``, the batch claimed before on the same connection slot, is sent first: this
    batch's sending waits for it. ``halt`` is the run's: set when any batch lost its connection.

    The batch ends early when the connection is lost or ``stop`` is set: the message in flight
    is finished and recorded, and the rest are released untouched, due at once.
    """
    build = build or messages.build
    batch = _Batch(retried_ids=retried)  # the run's, shared by its batches
    with contextlib.ExitStack() as stack:
        # The lease is renewed from the claim on, building included: on a busy host, building
        # a batch (invites, templates) can outlast a short lease, and another worker would
        # take it.
        stack.enter_context(_LeaseKeeper(worker_id, list(ids)))
        previous = after.sender if after is not None else None
        sender = stack.enter_context(
            _Sender(batch, worker_id, ids, stop, after=previous, halt=halt)
        )
        with unit_of_work():  # the read transaction ends with the building
            _build_into(sender, ids, build)
        return _InFlight(batch, sender, stack.pop_all())


def _build_into(sender: "_Sender", ids: list[int], build: Builder) -> None:
    rows = _load(ids)
    now = database_now()
    superseded = _superseded_reminders(rows, now)
    for row in rows:
        if sender.halted:
            break
        claimed = _Claimed(row.id, row.kind, row.attempts, row.due_at)
        reason = _obsolete_reason(row, now) or superseded.get(row.id, "")
        if reason:
            sender.put(_Built(claimed, cancelled=reason))
            continue
        try:
            message = build(row)
            sender.put(_Built(claimed, message, transport.wire(message)))
        except Exception as exc:
            log.exception("Could not build outbox message %s (%s)", row.id, row.kind)
            failure = f"Could not build the message: {type(exc).__name__}: {exc}"
            sender.put(_Built(claimed, failed=failure))


class _InFlight:
    """A batch built and handed to its sending thread, its lease kept while it is sent."""

    def __init__(self, batch: _Batch, sender: "_Sender", running: contextlib.ExitStack):
        self.batch = batch
        self.sender = sender
        self.running = running

    def finish(self) -> _Batch:
        """Wait for the sending to end (raising its error, if any), then stop the lease."""
        self.running.close()
        return self.batch


@dataclass(frozen=True)
class _Built:
    """One claimed row as the builder hands it to the sender: its message, or why it has none
    (cancelled: no longer to be sent; failed: it could not be built)."""

    claimed: "_Claimed"
    message: Message | None = None
    #: The message's envelope and bytes (:func:`eventsvc.mail.transport.wire`): worked out by
    #: the builder, so that the sending thread, on which every message waits, only sends.
    wire: transport.Wire | None = None
    cancelled: str = ""
    failed: str = ""


_NO_MORE = None


class _Sender:
    """The batch's sending thread: takes built messages in order, sends each over the batch's
    connection and records its outcome (:class:`_Outcomes`, in its own session and unit of
    work), while the caller builds the next.

    It touches no ORM object: what an outcome needs is in :class:`_Claimed`. It starts sending
    once the batch before it on its connection slot (``after``) is sent, so a worker holds
    ``MAIL_CONNECTIONS`` connections at a time. When the connection is lost or ``stop`` is set,
    here, in the batch before or on another connection of the run (``run_halt``), it says so
    (``halted``: the builder stops building) and sends nothing more; at the end the rows of the
    batch not tried are given back. An error of its own (the outcomes could not be written) is
    raised in the caller's thread.
    """

    def __init__(
        self,
        batch: _Batch,
        worker_id: str,
        ids: list[int],
        stop: threading.Event | None,
        *,
        after: "_Sender | None",
        halt: threading.Event,
    ):
        self.app = current_app._get_current_object()
        self.batch = batch
        self.worker_id = worker_id
        self.ids = list(ids)
        self.stop = stop
        #: The sending of the batch before, which this one waits for; dropped once it ended.
        self.after = after
        #: The run's: set by whichever batch loses its connection, read by all.
        self.run_halt = halt
        self._halted = False
        #: Rows handed over but not tried (the batch ended first): released at the end.
        self.untried: set[int] = set()
        self.error: BaseException | None = None
        self.queue: queue.SimpleQueue = queue.SimpleQueue()
        self.thread = threading.Thread(target=self._run, name="mail-sender", daemon=True)

    @property
    def halted(self) -> bool:
        """The connection was lost or ``stop`` was set, here or in the batch sent before: this
        batch sends nothing more."""
        after = self.after
        return self._halted or self.run_halt.is_set() or (after is not None and after.halted)

    def __enter__(self) -> "_Sender":
        self.thread.start()
        return self

    def __exit__(self, exc_type, exc, traceback) -> None:
        self.queue.put(_NO_MORE)
        self.thread.join()
        if self.error is not None and exc_type is None:
            raise self.error

    def put(self, built: _Built) -> None:
        self.queue.put(built)

    def _run(self) -> None:
        try:
            if self.after is not None:
                self.after.thread.join()
                self._halted = self.after.halted
                self.after = None
            # Claimed while another batch lost the connection: given back untouched.
            self._halted = self.batch.given_back = self._halted or self.run_halt.is_set()
            with self.app.app_context():
                outcomes = _Outcomes(self.batch, self.worker_id)
                with transport.open_session() as session:
                    self._send_all(session, outcomes)
                undecided = [key for key in self.ids if key not in outcomes.claimed]
                undecided += [key for key in outcomes.claimed if key in self.untried]
                self.batch.stopped = bool(undecided) and not self.batch.connection_lost
                outcomes.write(release=undecided)
        except BaseException as exc:  # handed to the caller's thread
            self.error = exc
            self._halted = True

    def _send_all(self, session, outcomes: "_Outcomes") -> None:
        while (built := self.queue.get()) is not _NO_MORE:
            claimed = built.claimed
            outcomes.track(claimed)
            if built.cancelled:
                outcomes.cancel(claimed.id, built.cancelled)
            elif built.failed:
                outcomes.fail(claimed.id, built.failed)
            elif self._stopping():
                self._halted = True
                self.untried.add(claimed.id)
            else:
                result = _send(session, claimed.id, built.message, built.wire)
                outcomes.record(claimed.id, result)
                if result.connection_failed:
                    self.batch.connection_lost = self._halted = True
                    self.run_halt.set()
            outcomes.write_if_due()

    def _stopping(self) -> bool:
        return self.halted or (self.stop is not None and self.stop.is_set())


class _LeaseKeeper:
    """Renews the lease on the batch's rows still held every third of a lease, from a thread of
    its own: one slow answer (up to ``MAIL_DATA_TIMEOUT``, longer than a lease) never lets the
    claim expire under another worker while this one is alive.

    Rows whose outcome is written are no longer held (``claimed_by`` is cleared), so the renewal
    can name the whole batch.
    """

    def __init__(self, worker_id: str, ids: list[int]):
        self.worker_id = worker_id
        self.ids = ids
        self.app = current_app._get_current_object()
        self.period = float(self.app.config["MAIL_LEASE_SECONDS"]) / 3
        self.stopping = threading.Event()
        self.thread = threading.Thread(target=self._run, name="mail-lease", daemon=True)

    def __enter__(self) -> "_LeaseKeeper":
        if self.ids:
            self.thread.start()
        return self

    def __exit__(self, *exc_info) -> None:
        self.stopping.set()
        if self.thread.is_alive():
            self.thread.join()

    def _run(self) -> None:
        lease = timedelta(seconds=self.period * 3)
        while not self.stopping.wait(self.period):
            try:
                with self.app.app_context(), unit_of_work():
                    until = database_now() + lease
                    db.session.execute(
                        _RENEW, {"ids": self.ids, "worker_id": self.worker_id, "until": until}
                    )
            except Exception:
                log.warning("Could not renew the lease on batch %s; trying again.", self.ids[:3])


def _send(session, key: int, message: Message, wire: transport.Wire | None) -> transport.Result:
    """Send one message; an unexpected error (a bug) fails that message and, since the session
    may be left mid-transaction, ends the batch like a lost connection."""
    try:
        return session.send(key, message, wire)
    except Exception as exc:
        log.exception("Could not send outbox message %s", key)
        detail = f"Could not send the message: {type(exc).__name__}: {exc}"
        return transport.Result(Outcome.PERMANENT, detail, connection_failed=True)


def _load(ids: list[int]) -> list[OutboxMessage]:
    """The rows with their registrations (one join), then their events and the events' texts
    (one ``IN`` each): a batch is mostly one event's, which a join would read again per row.

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
                .selectinload(Registration.event)
                .options(selectinload(Event.contents), lazyload(Event.partner_links))
            )
        ).unique()
    )


def _obsolete_reason(row: OutboxMessage, now: datetime) -> str:
    """Why a claimed message must not go out any more, or ``""``.

    The services withdraw messages when things change; this is the last look before sending,
    for what changed since (personal data erased, a reminder whose event has begun).
    """
    if row.organiser_id is not None:
        return "" if row.organiser.active else "The organiser account is deactivated."
    if row.subscription_id is not None:
        # Unsubscribing deletes the subscription and its rows: one still here may go, but
        # never a notice to an address not (or no longer) confirmed.
        subscription = row.subscription
        if subscription is None:
            return "The subscription is gone."
        if row.kind != MessageKind.SUBSCRIPTION_CONFIRM and subscription.status != "confirmed":
            return "The subscription is not confirmed."
        return ""
    registration = row.registration
    if registration is None or registration.anonymised_at is not None:
        return "The registration's personal data has been erased."
    if row.kind == MessageKind.REMINDER:
        event = registration.event
        if registration.status != RegistrationStatus.CONFIRMED:
            return "The registration is no longer confirmed."
        if event.status != EventStatus.PUBLISHED:
            return "The event is no longer published."
        if event.starts_at <= now:
            return "The event has already started."
    return ""


def _superseded_reminders(rows: list[OutboxMessage], now: datetime) -> dict[int, str]:
    """Reminders overdue behind a later one for the same registration (after a worker outage):
    only the latest goes out, saying how long is left now."""
    reminders = [row for row in rows if row.kind == MessageKind.REMINDER]
    if not reminders:
        return {}
    latest_due = dict(
        db.session.execute(
            select(OutboxMessage.registration_id, func.max(OutboxMessage.due_at))
            .where(
                OutboxMessage.kind == MessageKind.REMINDER,
                OutboxMessage.status == MessageStatus.PENDING,
                OutboxMessage.due_at <= now,
                OutboxMessage.registration_id.in_({row.registration_id for row in reminders}),
            )
            .group_by(OutboxMessage.registration_id)
        ).all()
    )
    return {
        row.id: "A later reminder replaces it."
        for row in reminders
        if row.registration_id in latest_due and row.due_at < latest_due[row.registration_id]
    }


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


#: The rows of ``ids`` this worker still holds: claimed by it, no outcome written yet.
_STILL_HELD = update(_OUTBOX).where(
    _OUTBOX.c.id.in_(bindparam("ids", expanding=True)),
    _OUTBOX.c.claimed_by == bindparam("worker_id"),
    _OUTBOX.c.status == MessageStatus.PENDING,
)

#: Rows claimed but not tried (the connection dropped, or the worker is stopping): back to
#: the queue as they were, due at once.
_RELEASE = _STILL_HELD.values(claimed_until=None, claimed_by=None)

#: The lease of the rows still held, renewed while the batch is in flight (:class:`_LeaseKeeper`).
_RENEW = _STILL_HELD.values(claimed_until=bindparam("until"))

#: Tries of an outcome write when the database connection drops, and the pause between them.
_WRITE_TRIES = 5
_WRITE_PAUSE = 0.5


class _Outcomes:
    """The batch's outcomes, written every few messages with as few statements as the
    database allows."""

    def __init__(self, batch: _Batch, worker_id: str):
        self.batch = batch
        self.worker_id = worker_id
        self.claimed: dict[int, _Claimed] = {}
        self.sent_ids: list[int] = []
        self.others: list[dict] = []
        self.retried: list[tuple[int, str]] = []
        config = current_app.config
        self.group = max(int(config["MAIL_OUTCOME_GROUP"]), 1)
        self.interval = float(config["MAIL_OUTCOME_INTERVAL"])
        self.last_write = time.monotonic()

    def track(self, claimed: _Claimed) -> None:
        self.claimed[claimed.id] = claimed

    def record(self, row_id: int, result: transport.Result) -> None:
        if result.outcome == Outcome.SENT:
            self.sent(row_id)
        elif result.outcome == Outcome.PERMANENT:
            self.fail(row_id, result.detail)
        else:
            self.retry_later(row_id, result.detail)

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
        self.retried.append((row_id, reason))
        self.batch.retried_ids.add(row_id)
        self.batch.report.retried += 1
        log.info("Outbox message %s (%s) will be retried: %s", claimed.id, claimed.kind, reason)

    def _schedule_retries(self, now: datetime) -> None:
        delays = current_app.config["MAIL_RETRY_DELAYS"]
        for row_id, reason in self.retried:
            claimed = self.claimed[row_id]
            due_at = now + timedelta(seconds=delays[claimed.attempts])
            self._other(claimed, MessageStatus.PENDING, claimed.attempts + 1, due_at, reason)
        self.retried = []

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

    def write_if_due(self) -> None:
        """Write the outcomes so far after a group of messages or a few seconds."""
        pending = len(self.sent_ids) + len(self.others) + len(self.retried)
        if pending >= self.group or time.monotonic() - self.last_write >= self.interval:
            self.write()

    def write(self, release: list[int] = ()) -> None:
        """Record the outcomes so far and give ``release`` back; retried when the database
        connection drops. A row deleted meanwhile (with its event) is not updated, and not
        counted as sent."""
        for attempt in range(1, _WRITE_TRIES + 1):
            try:
                with unit_of_work():
                    sent = self._write_once(list(release))
            except DBAPIError as exc:
                if attempt == _WRITE_TRIES or not _connection_trouble(exc):
                    raise
                log.warning("Writing mail outcomes failed (%s); trying again.", type(exc).__name__)
                time.sleep(_WRITE_PAUSE * attempt)
                continue
            break
        self.batch.report.sent += sent
        self.sent_ids, self.others = [], []
        self.last_write = time.monotonic()

    def _write_once(self, release: list[int]) -> int:
        now = database_now()
        if self.retried:
            self._schedule_retries(now)
        sent = 0
        if self.sent_ids:
            marked = db.session.execute(_MARK_SENT, {"ids": self.sent_ids, "now": now})
            sent = len(marked.all())
        if self.others:
            db.session.execute(_MARK_OTHER, self.others)
        if release:
            db.session.execute(_RELEASE, {"ids": release, "worker_id": self.worker_id})
        return sent


def _connection_trouble(exc: DBAPIError) -> bool:
    """Whether ``exc`` is a lost or refused connection (worth a new one), not a bad statement."""
    return exc.connection_invalidated or isinstance(exc, OperationalError)


# -- the background thread of `make run` ------------------------------------------------------


def start_background_dispatcher(app: Flask) -> "BackgroundDispatcher":
    """Poll the outbox every ``MAIL_DISPATCHER_INTERVAL`` seconds in a daemon thread.

    For development (``make run``); production runs ``flask send-mail`` as its own service.
    Errors are logged and the thread carries on at the next poll. When the process exits, the
    thread finishes the message in flight and releases the rest of its claims.
    """
    running = app.extensions.get("mail_dispatcher")
    if running is not None and running.thread.is_alive():
        return running
    dispatcher = BackgroundDispatcher(app)
    app.extensions["mail_dispatcher"] = dispatcher
    dispatcher.thread.start()
    atexit.register(dispatcher.stop, float(app.config["MAIL_STOP_GRACE"]))
    return dispatcher


class BackgroundDispatcher:
    def __init__(self, app: Flask):
        self.app = app
        self.interval = float(app.config["MAIL_DISPATCHER_INTERVAL"])
        self.stopping = threading.Event()
        self.thread = threading.Thread(target=self._run, name="mail-dispatcher", daemon=True)

    def stop(self, timeout: float | None = None) -> None:
        """Finish the message in flight, release the rest, and end the thread; a message still
        waiting for the server's answer after ``timeout`` seconds is given up."""
        self.stopping.set()
        self.thread.join(timeout)
        if self.thread.is_alive():
            transport.abort_sessions()
            self.thread.join(2)

    def _run(self) -> None:
        worker_id = default_worker_id()

        def send_due() -> None:
            with self.app.app_context():
                dispatch_due(worker_id=worker_id, stop=self.stopping)

        poll(send_due, stop=self.stopping, interval=self.interval, log=log)
