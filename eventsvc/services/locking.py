"""Serialising writers on one event, the same way on SQLite and PostgreSQL."""

import fcntl
import os
import threading
from functools import cache

from flask import Flask
from sqlalchemy import Select, inspect, select, text
from sqlalchemy import event as orm_events
from sqlalchemy.orm import Session, lazyload
from sqlalchemy.orm.util import identity_key

from eventsvc.extensions import db
from eventsvc.models import Event


def lock_event(event_id: int, *, reload_related: bool = True) -> Event:
    """Take the event's write lock for the rest of the transaction and return the fresh row.

    PostgreSQL locks the row (``SELECT … FOR UPDATE``). SQLite has one writer per database:
    a first no-op ``UPDATE`` takes that write lock now (waiting its turn, see
    :func:`_wait_for_turn`), so the counts read afterwards cannot change before the commit. It
    rewrites a plain column: rewriting the key would make SQLite look up every row that refers
    to the event (registrations, messages) on each registration. pysqlite runs plain SELECTs outside
    a transaction, so no stale read snapshot stands in the way of the upgrade.

    With ``reload_related=False`` only the event's own columns (status, times, capacity,
    sequence…) are read again under the lock; its texts and partners stay as loaded. For
    callers that decide on those columns alone (registrations): reloading the relationships
    was three more statements per registration.
    """
    on_sqlite = db.session.get_bind().dialect.name == "sqlite"
    if on_sqlite:
        _wait_for_turn(db.session())
        db.session.execute(
            text("UPDATE event SET status = status WHERE id = :id"), {"id": event_id}
        )
    if not reload_related:
        return _fresh_columns(event_id, for_update=not on_sqlite)
    if on_sqlite:
        return db.session.get(Event, event_id, populate_existing=True)
    return db.session.scalars(
        select(Event)
        .where(Event.id == event_id)
        .with_for_update()
        .execution_options(populate_existing=True)
    ).one()


def skip_locked(candidates: Select, name: str) -> Select:
    """The ids ``candidates`` (a ``SELECT id … LIMIT n``) selects among the rows no other
    transaction holds, locked for this one and taken once: for ``UPDATE … WHERE id IN (<this>)``.

    Never ``WHERE id IN (SELECT … LIMIT n FOR UPDATE SKIP LOCKED)`` on PostgreSQL: it may run
    such a sub-select more than once in one statement (as the inner side of a nested-loop
    semi-join, the plan it picks when its statistics say the table is nearly empty). Each run
    skips the rows the update has just changed and takes ``n`` more, so one claim took a whole
    queue (a batch of 5 with a batch size of 2). A ``MATERIALIZED`` CTE (``name``) runs once.

    SQLite has no row locks and one writer, which runs the plain sub-select as written; and a
    statement opening with ``WITH`` is not seen as a write by pysqlite, which would then run it
    outside the caller's transaction (the broadcast claim must hold its write lock until the
    chunk is written).
    """
    if db.session.get_bind().dialect.name != "postgresql":
        return candidates.scalar_subquery()
    claimable = candidates.with_for_update(skip_locked=True).cte(name).prefix_with("MATERIALIZED")
    return select(claimable.c.id)


_TAKE_WRITE_LOCK = text("UPDATE event SET status = status WHERE id = :id")


def _fresh_columns(event_id: int, for_update: bool) -> Event:
    event = db.session.identity_map.get(identity_key(Event, event_id))
    if event is not None:
        db.session.refresh(
            event, attribute_names=_column_names(), with_for_update=for_update or None
        )
        return event
    query = select(Event).where(Event.id == event_id).options(lazyload("*"))
    if for_update:
        query = query.with_for_update()
    return db.session.scalars(query).one()


@cache
def _column_names() -> tuple[str, ...]:
    return tuple(column.key for column in inspect(Event).column_attrs)


_turn = threading.local()


def _wait_for_turn(session: Session) -> None:
    """On SQLite, queue for the write lock on a file lock beside the database.

    SQLite's own lock has no queue: a writer that finds it taken sleeps in the busy handler
    (1, 2, 5, 10… up to 100 ms between tries) however soon it is released. Under a burst of
    registrations those sleeps, not the work, made most of the latency. ``flock`` wakes the
    next writer as soon as the holder's transaction ends (:func:`_end_turn`). SQLite's lock
    stays the guarantee; this only orders the writers that come through :func:`lock_event`.
    A connection that has already written in this transaction holds or awaits SQLite's lock,
    so it does not queue: it must never wait on the file while others wait on it.
    """
    connection = session.connection()
    database = connection.engine.url.database
    if getattr(_turn, "session", None) is not None or not database or database == ":memory:":
        return
    if connection.connection.dbapi_connection.in_transaction:
        return
    descriptor = os.open(f"{database}-writers", os.O_RDWR | os.O_CREAT, 0o600)
    try:
        fcntl.flock(descriptor, fcntl.LOCK_EX)
    except BaseException:
        os.close(descriptor)
        raise
    _turn.session, _turn.descriptor = session, descriptor


def init_app(app: Flask) -> None:
    """End the SQLite writers' turn (:func:`_wait_for_turn`) when the transaction that took it
    ends, whoever ends it (:func:`eventsvc.unit_of_work.unit_of_work`, a test, the mail worker).

    The listener is attached to the app's own sessions (Flask-SQLAlchemy's ``db.session``, whose
    session class is private to it), not to SQLAlchemy's ``Session`` class: sessions opened
    elsewhere in the process (Alembic, a script) are not touched. Attached once per process:
    every app of the process shares ``db``.
    """
    if not orm_events.contains(db.session, "after_transaction_end", _end_turn):
        orm_events.listen(db.session, "after_transaction_end", _end_turn)


def _end_turn(session: Session, transaction) -> None:
    if transaction.parent is None and getattr(_turn, "session", None) is session:
        descriptor = _turn.descriptor
        _turn.session = _turn.descriptor = None
        os.close(descriptor)  # closing the last descriptor releases the lock
