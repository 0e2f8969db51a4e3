"""Serialising writers on one event, the same way on SQLite and PostgreSQL."""

from sqlalchemy import select, text

from eventsvc.extensions import db
from eventsvc.models import Event


def lock_event(event_id: int) -> Event:
    """Take the event's write lock for the rest of the transaction and return the fresh row.

    PostgreSQL locks the row (``SELECT … FOR UPDATE``). SQLite has one writer per database:
    a first no-op ``UPDATE`` takes that write lock now (waiting up to the busy timeout), so the
    counts read afterwards cannot change before the commit. pysqlite runs plain SELECTs outside
    a transaction, so no stale read snapshot stands in the way of the upgrade.
    """
    if db.session.get_bind().dialect.name == "sqlite":
        db.session.execute(text("UPDATE event SET id = id WHERE id = :id"), {"id": event_id})
        event = db.session.get(Event, event_id, populate_existing=True)
    else:
        event = db.session.scalars(
            select(Event)
            .where(Event.id == event_id)
            .with_for_update()
            .execution_options(populate_existing=True)
        ).one()
    return event
