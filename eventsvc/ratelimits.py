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

from flask import current_app
from flask_babel import ngettext
from limits.storage import Storage
from sqlalchemy import delete, select
from sqlalchemy.exc import SQLAlchemyError

from eventsvc.extensions import db, limiter
from eventsvc.models.rate_limit import RateLimitCounter
from eventsvc.services.counters import forget_ended, hit

log = logging.getLogger(__name__)


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
            count = hit(connection.execute, engine.dialect.name, key, expiry, amount, now)
            if count == amount:  # a new window: a moment to forget long-ended ones
                connection.execute(forget_ended(now))
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
