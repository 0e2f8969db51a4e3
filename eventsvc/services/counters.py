"""Fixed-window counters in the application's database (table ``rate_limit_counter``), shared
by every process: the registration service's per-source cap, and the request limits' storage
(:class:`eventsvc.ratelimits.DatabaseStorage`, which builds on :func:`hit`)."""

import time
from functools import cache

from flask import current_app
from sqlalchemy import bindparam, case, delete
from sqlalchemy.dialects import postgresql, sqlite

from eventsvc.extensions import db
from eventsvc.models.rate_limit import RateLimitCounter

#: Counters whose window ended this long ago are deleted when a new window starts.
EXPIRED_KEPT_SECONDS = 3600


def past_source_cap(source: str) -> bool:
    """Count one new registration from client address ``source`` in this hour's window and say
    whether the address has gone past ``REGISTRATIONS_PER_SOURCE_PER_HOUR`` with it.

    One upsert in the caller's transaction (the registration's, which on SQLite already holds
    the write lock): the count and the registration commit or roll back together, and the check
    and the count are the same statement. It is a rule of the registration service rather than
    a request limit, so it lives in the application's database whatever
    ``RATELIMIT_STORAGE_URI`` says. On PostgreSQL the counter's row stays locked until the
    registration commits, which orders registrations from one address; those to one event are
    ordered by the event's lock anyway."""
    cap = int(current_app.config["REGISTRATIONS_PER_SOURCE_PER_HOUR"])
    dialect = db.session.get_bind().dialect.name
    now = time.time()
    count = hit(db.session.execute, dialect, f"new-registrations/{source}", 3600.0, 1, now)
    if count == 1:  # a new window: a moment to forget long-ended ones
        db.session.execute(forget_ended(now))
    return count > cap


def forget_ended(now: float):
    table = RateLimitCounter.__table__
    return delete(table).where(table.c.expires_at < now - EXPIRED_KEPT_SECONDS)


def hit(execute, dialect: str, key: str, expiry: float, amount: int, now: float) -> int:
    """One hit on a fixed window through ``execute`` (a session's or a connection's); the
    window's count with it."""
    values = {"key": key, "amount": amount, "expires_at": now + expiry, "now": now}
    return execute(_hit_statement(dialect), values).scalar_one()


@cache
def _hit_statement(dialect: str):
    """``INSERT … ON CONFLICT DO UPDATE … RETURNING count``: a window that has ended starts
    again from the amount. Built once per dialect (building it was a third of the hit's time)."""
    table = RateLimitCounter.__table__
    insert = {"postgresql": postgresql.insert, "sqlite": sqlite.insert}[dialect]
    statement = insert(table).values(
        key=bindparam("key"), count=bindparam("amount"), expires_at=bindparam("expires_at")
    )
    stale = table.c.expires_at <= bindparam("now")
    return statement.on_conflict_do_update(
        index_elements=[table.c.key],
        set_={
            "count": case(
                (stale, statement.excluded.count), else_=table.c.count + bindparam("amount")
            ),
            "expires_at": case((stale, statement.excluded.expires_at), else_=table.c.expires_at),
        },
    ).returning(table.c.count)
