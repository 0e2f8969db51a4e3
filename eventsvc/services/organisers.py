"""Organiser accounts: creation, roles, and sign-in that slows down under repeated failures.

Throttling is per account: after :data:`LOCK_AFTER` failed attempts in a row the account is
locked for 1 minute, then 2, 4, 8… (at most :data:`MAX_LOCK_MINUTES`) for each further failure.
A successful sign-in clears the count. Addresses without an account get the same answers from a
counter kept in the rate limiter's storage, so the answers never tell whether an account exists.
"""

import logging
import math
import time
from dataclasses import dataclass
from datetime import datetime, timedelta
from functools import cache

from email_validator import EmailNotValidError, validate_email
from flask import current_app
from flask_babel import lazy_gettext as _l
from flask_babel import lazy_ngettext
from sqlalchemy import func, select
from werkzeug.security import check_password_hash, generate_password_hash

from eventsvc import clock
from eventsvc.extensions import db, limiter
from eventsvc.models import AuditEntry, Organiser, Role
from eventsvc.services import DomainError, audit

MIN_PASSWORD_LENGTH = 12
LOCK_AFTER = 5
MAX_LOCK_MINUTES = 60

log = logging.getLogger(__name__)


ACCOUNT_CREATED = "account_created"
PASSWORD_RESET = "password_reset"
ROLE_CHANGED = "role_changed"
DEACTIVATED = "account_deactivated"
REACTIVATED = "account_reactivated"

#: Audit log labels of account changes (recorded without an event).
ACCOUNT_ACTION_LABELS = {
    ACCOUNT_CREATED: _l("Account created"),
    PASSWORD_RESET: _l("Password set anew"),
    ROLE_CHANGED: _l("Role changed"),
    DEACTIVATED: _l("Account deactivated"),
    REACTIVATED: _l("Account reactivated"),
}


class SignInRefused(DomainError):
    """Wrong address or password, or an inactive account: one message for all of them."""


class SignInLocked(DomainError):
    """Too many failed attempts; ``minutes`` until the next attempt is accepted."""

    def __init__(self, minutes: int):
        super().__init__(
            lazy_ngettext(
                "Too many attempts, try again in %(num)d minute.",
                "Too many attempts, try again in %(num)d minutes.",
                minutes,
            )
        )
        self.minutes = minutes


class AccountError(DomainError):
    """An account change that the rules refuse (duplicate, weak password, last admin…)."""


@dataclass(frozen=True)
class NewOrganiser:
    email: str
    password: str
    name: str = ""
    role: Role = Role.ORGANISER


def normalise_address(address: str) -> str:
    """The stored, comparable form of an organiser's address (raises AccountError if invalid)."""
    try:
        return validate_email(address.strip(), check_deliverability=False).normalized.casefold()
    except EmailNotValidError as exc:
        raise AccountError(
            _l("“%(address)s” is not a valid email address.", address=address)
        ) from exc


def check_password_strength(password: str) -> None:
    if len(password) < MIN_PASSWORD_LENGTH:
        raise AccountError(
            _l(
                "The password must have at least %(count)s characters.",
                count=MIN_PASSWORD_LENGTH,
            )
        )


def find_by_email(address: str) -> Organiser | None:
    try:
        email = normalise_address(address)
    except AccountError:
        return None
    return db.session.scalar(select(Organiser).where(Organiser.email == email))


def create_organiser(data: NewOrganiser, actor: Organiser | None = None) -> Organiser:
    """Create an active account; refuses an address that already has one."""
    email = normalise_address(data.email)
    check_password_strength(data.password)
    if db.session.scalar(select(Organiser.id).where(Organiser.email == email)) is not None:
        raise AccountError(
            _l("An organiser with the address %(email)s exists already.", email=email)
        )
    organiser = Organiser(email=email, name=data.name.strip(), role=Role(data.role), active=True)
    organiser.set_password(data.password)
    db.session.add(organiser)
    db.session.flush()
    _record(ACCOUNT_CREATED, organiser, actor, role=str(organiser.role))
    db.session.commit()
    return organiser


def update_account(
    organiser: Organiser,
    *,
    password: str,
    name: str | None = None,
    role: Role | None = None,
    actor: Organiser | None = None,
) -> None:
    """Set a new password (lifting any lock), and the name and role when given."""
    check_password_strength(password)
    if role is not None and Role(role) != Role.ADMIN and organiser.role == Role.ADMIN:
        _keep_an_admin(organiser)
    organiser.set_password(password)
    organiser.failed_logins = 0
    organiser.locked_until = None
    organiser.active = True
    if name is not None:
        organiser.name = name.strip()
    if role is not None:
        organiser.role = Role(role)
    _record(PASSWORD_RESET, organiser, actor, role=str(organiser.role))
    db.session.commit()


def list_organisers() -> list[Organiser]:
    return list(db.session.scalars(select(Organiser).order_by(Organiser.email)))


def set_role(organiser: Organiser, role: Role, actor: Organiser | None = None) -> None:
    role = Role(role)
    if role == organiser.role:
        return
    if organiser.role == Role.ADMIN:
        _keep_an_admin(organiser)
    organiser.role = role
    _record(ROLE_CHANGED, organiser, actor, role=str(role))
    db.session.commit()


def set_active(organiser: Organiser, active: bool, actor: Organiser | None = None) -> None:
    if active == organiser.active:
        return
    if not active and organiser.role == Role.ADMIN:
        _keep_an_admin(organiser)
    organiser.active = active
    if active:
        organiser.failed_logins = 0
        organiser.locked_until = None
    _record(REACTIVATED if active else DEACTIVATED, organiser, actor)
    db.session.commit()


def account_history(limit: int = 20) -> list[AuditEntry]:
    """The latest changes to organiser accounts, newest first."""
    return list(
        db.session.scalars(
            select(AuditEntry)
            .where(AuditEntry.action.in_(ACCOUNT_ACTION_LABELS))
            .order_by(AuditEntry.id.desc())
            .limit(limit)
        )
    )


def _record(action: str, account: Organiser, actor: Organiser | None, **details) -> None:
    audit.record(action, actor=actor, account=account.email, **details)


def _keep_an_admin(leaving: Organiser) -> None:
    others = db.session.scalar(
        select(func.count(Organiser.id)).where(
            Organiser.role == Role.ADMIN, Organiser.active.is_(True), Organiser.id != leaving.id
        )
    )
    if not others:
        raise AccountError(_l("There must remain at least one active administrator."))


@cache
def _dummy_hash() -> str:
    """Checked when the address has no account, so both cases take the same time.

    Made on first use, not at import: scrypt allocates 32 MB and takes about 0.1 s, which every
    process importing the app (workers, CLI commands, exports) would otherwise pay.
    """
    return generate_password_hash("not a password of anyone", method="scrypt")


def authenticate(address: str, password: str) -> Organiser:
    """The organiser whose address and password these are, or a refusal; commits the count."""
    organiser = find_by_email(address)
    now = clock.now()
    if organiser is None:
        check_password_hash(_dummy_hash(), password)
        raise _UnknownAddressThrottle(address).failure()
    if organiser.locked_until is not None and organiser.locked_until > now:
        raise SignInLocked(_minutes_until(organiser.locked_until, now))
    if not organiser.check_password(password) or not organiser.active:
        raise _record_failure(organiser, now)
    organiser.failed_logins = 0
    organiser.locked_until = None
    db.session.commit()
    return organiser


def _record_failure(organiser: Organiser, now: datetime) -> DomainError:
    """Count one failure (committed) and return the refusal to raise."""
    organiser.failed_logins = (organiser.failed_logins or 0) + 1
    minutes = lock_minutes(organiser.failed_logins)
    organiser.locked_until = now + timedelta(minutes=minutes) if minutes else None
    db.session.commit()
    return SignInLocked(minutes) if minutes else _refused()


def _refused() -> SignInRefused:
    return SignInRefused(_l("The email address or the password is not right."))


def lock_minutes(failures: int) -> int:
    """How long the account stays locked after its ``failures``-th failure in a row."""
    if failures < LOCK_AFTER:
        return 0
    return min(2 ** (failures - LOCK_AFTER), MAX_LOCK_MINUTES)


def _minutes_until(until: datetime, now: datetime) -> int:
    return max(1, math.ceil((until - now).total_seconds() / 60))


class _UnknownAddressThrottle:
    """The same lock schedule for an address without an account, in the limiter's storage."""

    def __init__(self, address: str):
        key = address.strip().casefold()
        self.count_key = f"eventsvc/login-unknown/count/{key}"
        self.lock_key = f"eventsvc/login-unknown/lock/{key}"

    def failure(self) -> DomainError:
        """Count one failure and return the refusal to raise."""
        storage = _limiter_storage()
        if storage is None:
            return _refused()
        try:
            return self._count(storage)
        except Exception:  # the storage is down (Redis): refuse plainly, as with limits off
            log.warning("sign-in throttle storage unavailable", exc_info=True)
            return _refused()

    def _count(self, storage) -> DomainError:
        if storage.get(self.lock_key):
            remaining = storage.get_expiry(self.lock_key) - time.time()
            return SignInLocked(max(1, math.ceil(remaining / 60)))
        failures = storage.incr(self.count_key, 24 * 3600)
        minutes = lock_minutes(failures)
        if minutes:
            storage.incr(self.lock_key, minutes * 60)
            return SignInLocked(minutes)
        return _refused()


def _limiter_storage():
    """The rate limiter's storage, or ``None`` when rate limiting is off (tests, some setups)."""
    if not current_app.config.get("RATELIMIT_ENABLED", True):
        return None
    try:
        return limiter.storage
    except (AssertionError, AttributeError, RuntimeError):
        return None
