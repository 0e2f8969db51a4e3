"""Serialising writers on one event, the same way on SQLite and PostgreSQL."""

from functools import cache

from sqlalchemy import inspect, select, text
from sqlalchemy.orm import lazyload
from sqlalchemy.orm.util import identity_key

from eventsvc.extensions import db
from eventsvc.models import Event


def lock_event(event_id: int, *, reload_related: bool = True) -> Event:
    """Take the event's write lock for the rest of the transaction and return the fresh row.

    PostgreSQL locks the row (``SELECT … FOR UPDATE``). SQLite has one writer per database:
    a first no-op ``UPDATE`` takes that write lock now (waiting up to the busy timeout), so the
    counts read afterwards cannot change before the commit. pysqlite runs plain SELECTs outside
    a transaction, so no stale read snapshot stands in the way of the upgrade.

    With ``reload_related=False`` only the event's own columns (status, times, capacity,
    sequence…) are read again under the lock; its texts and partners stay as loaded. For
    callers that decide on those columns alone (registrations): reloading the relationships
    was three more statements per registration.
    """
    on_sqlite = db.session.get_bind().dialect.name == "sqlite"
    if on_sqlite:
        db.session.execute(text("UPDATE event SET id = id WHERE id = :id"), {"id": event_id})
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
