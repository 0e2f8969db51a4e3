"""Rate limits for the endpoints bots aim at, per client address, read from the settings.

Apply under the route decorator::

    @bp.post("/events/<slug>/register")
    @ratelimits.registration(on_breach=page_with_what_was_typed)
    def register(slug): ...

Only POSTs count. The limits (``RATELIMIT_REGISTER``, ``RATELIMIT_LOGIN``, e.g. ``"20 per
minute"``) are read at request time. The registration limit counts accepted registrations only
(a 303 to the thank-you page): a form sent back with errors costs nothing, so a workshop on one
Wi-Fi is not refused for its typos. A breach answers 429 with a ``Retry-After`` header.

The counts live in ``RATELIMIT_STORAGE_URI``, which every process must share: ``database://``
(the default) keeps them in the application's own database (table ``rate_limit_counter``);
``redis://…`` in Redis; ``memory://`` in each process (one process only: with four workers a
client gets four times the limit). Behind a reverse proxy set ``PROXY_FIX_HOPS`` so that the
client address is the visitor's, not the proxy's (see docs/production.md).
"""

import logging
import time
from functools import cache

from flask import current_app
from flask_babel import ngettext
from limits.storage import Storage
from sqlalchemy import bindparam, case, delete, select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.exc import SQLAlchemyError

from eventsvc.extensions import db, limiter
from eventsvc.models.rate_limit import RateLimitCounter

log = logging.getLogger(__name__)

#: Counters whose window ended this long ago are deleted when a new window starts.
EXPIRED_KEPT_SECONDS = 3600


def _registration_limit() -> str:
    return current_app.config["RATELIMIT_REGISTER"]


def _sign_in_limit() -> str:
    return current_app.config["RATELIMIT_LOGIN"]


def _accepted(response) -> bool:
    """A registration was taken (or the visitor is told so): the thank-you redirect."""
    return response.status_code == 303


def registration(on_breach):
    """Registration posts, counted per address across all events, accepted ones only.

    ``on_breach(request_limit)`` returns the page for a refused post (the form as typed).
    """
    return limiter.limit(
        _registration_limit, methods=["POST"], deduct_when=_accepted, on_breach=on_breach
    )


def refusal_message(limit) -> str:
    """What a refused registration post tells the visitor (the public page and the embedded
    form alike): nothing was lost, and when to send it again."""
    minutes = max(1, round((limit.reset_at - time.time()) / 60))
    return ngettext(
        "Many people have just registered from your network. Nothing was lost: your "
        "details are below. Send the form again in %(num)d minute.",
        "Many people have just registered from your network. Nothing was lost: your "
        "details are below. Send the form again in %(num)d minutes.",
        minutes,
    )


#: Organiser sign-in attempts, counted per address (the account lock-out counts per account).
sign_in = limiter.limit(_sign_in_limit, methods=["POST"])


def count_new_registration(source: str) -> bool:
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
    count = _hit(db.session.execute, dialect, f"new-registrations/{source}", 3600.0, 1, now)
    if count == 1:  # a new window: a moment to forget long-ended ones
        db.session.execute(_forget_ended(now))
    return count > cap


def _forget_ended(now: float):
    table = RateLimitCounter.__table__
    return delete(table).where(table.c.expires_at < now - EXPIRED_KEPT_SECONDS)


def _hit(execute, dialect: str, key: str, expiry: float, amount: int, now: float) -> int:
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


class DatabaseStorage(Storage):
    """Fixed-window counters in the application's database, seen by every worker process.

    One upsert per hit (``INSERT … ON CONFLICT DO UPDATE … RETURNING``, on PostgreSQL and
    SQLite alike), in its own short transaction on its own connection, so that a count never
    waits for, or rolls back with, the request's work.
    """

    STORAGE_SCHEME = ["database"]

    def __init__(self, uri: str | None = None, wrap_exceptions: bool = False, **options):
        super().__init__(uri, wrap_exceptions=wrap_exceptions, **options)

    @property
    def base_exceptions(self):
        return SQLAlchemyError

    @staticmethod
    def _engine():
        return db.engine

    def incr(self, key: str, expiry: float, amount: int = 1) -> int:
        now = time.time()
        engine = self._engine()
        with engine.begin() as connection:
            count = _hit(connection.execute, engine.dialect.name, key, expiry, amount, now)
            if count == amount:  # a new window: a moment to forget long-ended ones
                connection.execute(_forget_ended(now))
        return count

    def _live(self, key: str):
        table = RateLimitCounter.__table__
        query = select(table.c.count, table.c.expires_at).where(
            table.c.key == key, table.c.expires_at > time.time()
        )
        with self._engine().connect() as connection:
            return connection.execute(query).first()

    def get(self, key: str) -> int:
        row = self._live(key)
        return row.count if row else 0

    def get_expiry(self, key: str) -> float:
        row = self._live(key)
        return row.expires_at if row else time.time()

    def check(self) -> bool:
        try:
            with self._engine().connect() as connection:
                connection.execute(select(1))
            return True
        except SQLAlchemyError:
            return False

    def reset(self) -> int | None:
        with self._engine().begin() as connection:
            return connection.execute(delete(RateLimitCounter.__table__)).rowcount

    def clear(self, key: str) -> None:
        table = RateLimitCounter.__table__
        with self._engine().begin() as connection:
            connection.execute(delete(table).where(table.c.key == key))
