"""API tokens: made, found from what a client sends, revoked.

A token is ``evs_`` + 32 random bytes (``secrets.token_urlsafe``), shown once. Only its SHA-256
is stored. A fast unsalted hash is enough here, unlike for passwords: a password is guessable, so
its hash must be slow and salted to resist a dictionary; 256 random bits are not guessable, so
a stolen table of SHA-256 digests gives nothing to try, and a digest lookup by unique index keeps
each API call to one indexed read (a slow hash would cost every call tens of milliseconds).
"""

import hashlib
import secrets
from datetime import timedelta

from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from eventsvc import clock
from eventsvc.extensions import db
from eventsvc.models import ApiToken, Organiser, TokenScope
from eventsvc.services import DomainError, owned
from eventsvc.services.inputs.base import Errors

PREFIX = "evs_"
NAME_MAX = 100
#: ``last_used_at`` is written at most this often per token (a read-only call writes nothing
#: more often than that).
LAST_USE_PRECISION = timedelta(minutes=1)


class TokenNotFound(DomainError):
    pass


def digest(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8", "surrogatepass")).hexdigest()


def create(organiser: Organiser, name: str, scope: str) -> tuple[ApiToken, str]:
    """A new token for ``organiser``; returns the row and the token, which is not kept."""
    errors = Errors()
    name = (name or "").strip()
    if not name:
        errors.add("name", _l("Give the token a name, e.g. the script that uses it."))
    elif len(name) > NAME_MAX:
        errors.add("name", _l("At most %(max)d characters.", max=NAME_MAX))
    if scope not in {s.value for s in TokenScope}:
        errors.add("scope", _l("Choose read or read and write."))
    errors.raise_if_any()
    token = PREFIX + secrets.token_urlsafe(32)
    row = ApiToken(
        organiser_id=organiser.id,
        name=name,
        scope=TokenScope(scope),
        token_hash=digest(token),
        prefix=token[: len(PREFIX) + 4],
    )
    db.session.add(row)
    db.session.flush()
    return row, token


def find(token: str) -> ApiToken | None:
    """The live token whose text is ``token`` (not revoked, its organiser active)."""
    if not token.startswith(PREFIX):
        return None
    row = db.session.scalar(select(ApiToken).where(ApiToken.token_hash == digest(token)))
    if row is None or row.revoked_at is not None or not row.organiser.active:
        return None
    return row


def note_use(row: ApiToken) -> bool:
    """Record that ``row`` was used now (at most once per :data:`LAST_USE_PRECISION`); returns
    whether anything was written."""
    now = clock.now()
    if row.last_used_at is not None and now - row.last_used_at < LAST_USE_PRECISION:
        return False
    row.last_used_at = now
    db.session.flush()
    return True


def tokens_of(organiser: Organiser) -> list[ApiToken]:
    """The organiser's tokens, live ones first, the newest first."""
    live_first = ApiToken.revoked_at.is_not(None)
    return owned.rows_of(ApiToken, organiser, live_first, ApiToken.created_at.desc(), ApiToken.id)


def revoke(organiser: Organiser, token_id: int) -> ApiToken:
    missing = TokenNotFound(_l("This token does not exist."))
    row = owned.row_of(ApiToken, organiser, token_id, missing)
    if row.revoked_at is None:
        row.revoked_at = clock.now()
    db.session.flush()
    return row
