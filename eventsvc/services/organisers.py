"""Organiser accounts: invitations, passwords, roles, and sign-in that an outsider cannot turn
against the owner.

Failed sign-ins are rows in the database (every worker sees them) counted per (typed address,
source address) and per source address, over a sliding window: an attacker elsewhere slows only
themselves, never the owner at their own address. The password hash is checked whatever the
case (unknown address, invited account without a password, throttled), so the timing tells
nothing. When an account sees repeated failures, its owner gets a mail through the outbox.

Every change that must end the account's other sessions (sign-out, new password, deactivation,
role change) bumps its session generation (:meth:`Organiser.sign_out_everywhere`).
"""

import hashlib
import math
from datetime import datetime, timedelta

from flask import current_app
from flask_babel import lazy_gettext as _l
from flask_babel import lazy_ngettext
from itsdangerous import BadSignature, SignatureExpired, TimestampSigner, URLSafeTimedSerializer
from sqlalchemy import delete, func, select
from werkzeug.security import check_password_hash

from eventsvc import clock
from eventsvc.extensions import db
from eventsvc.models import (
    AuditEntry,
    MessageKind,
    Organiser,
    OutboxMessage,
    Role,
    SignInFailure,
)
from eventsvc.passwords import dummy_hash
from eventsvc.services import DomainError, audit
from eventsvc.services.addresses import address_key
from eventsvc.services.inputs.account import (  # noqa: F401 (NewOrganiser re-exported)
    NewOrganiser,
    check_address,
    check_password,
)
from eventsvc.services.inputs.base import Errors
from eventsvc.services.outbox import enqueue_for_organiser

#: New-password mails one account can get in an hour, however often the form is sent.
RESET_MAILS_PER_HOUR = 3

ACCOUNT_CREATED = "account_created"
ACCOUNT_INVITED = "account_invited"
INVITATION_SENT = "invitation_sent"
PASSWORD_RESET = "password_reset"
PASSWORD_CHANGED = "password_changed"
ROLE_CHANGED = "role_changed"
DEACTIVATED = "account_deactivated"
REACTIVATED = "account_reactivated"
SIGN_IN_UNLOCKED = "sign_in_unlocked"
SIGNED_OUT_EVERYWHERE = "signed_out_everywhere"
SECOND_FACTOR_ON = "second_factor_on"
SECOND_FACTOR_OFF = "second_factor_off"
SECOND_FACTOR_REQUIRED = "second_factor_required"
SECOND_FACTOR_OPTIONAL = "second_factor_optional"

#: Audit log labels of account changes (recorded without an event).
ACCOUNT_ACTION_LABELS = {
    ACCOUNT_CREATED: _l("Account created"),
    ACCOUNT_INVITED: _l("Organiser invited"),
    INVITATION_SENT: _l("Invitation sent again"),
    PASSWORD_RESET: _l("Password set anew"),
    PASSWORD_CHANGED: _l("Password changed"),
    ROLE_CHANGED: _l("Role changed"),
    DEACTIVATED: _l("Account deactivated"),
    REACTIVATED: _l("Account reactivated"),
    SIGN_IN_UNLOCKED: _l("Sign-in limits lifted"),
    SIGNED_OUT_EVERYWHERE: _l("Signed out everywhere"),
    SECOND_FACTOR_ON: _l("Second factor turned on"),
    SECOND_FACTOR_OFF: _l("Second factor turned off"),
    SECOND_FACTOR_REQUIRED: _l("Second factor required of every organiser"),
    SECOND_FACTOR_OPTIONAL: _l("Second factor made optional"),
}


class SignInRefused(DomainError):
    """Wrong address or password, or an inactive account: one message for all of them."""


class SignInThrottled(DomainError):
    """Too many failures from this source (for this address); ``minutes`` until the next try."""

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


def normalise_address(address: str) -> str:
    """The stored, comparable form of an organiser's address (raises AccountError if invalid)."""
    errors = Errors()
    email = check_address(address, errors)
    if errors:
        raise AccountError(errors.errors["email"][0])
    return email


def check_password_strength(password: str) -> None:
    """Refuse a password shorter than the minimum or found in the shipped common list."""
    errors = Errors()
    check_password(password, errors)
    if errors:
        raise AccountError(errors.errors["password"][0])


def find_by_email(address: str) -> Organiser | None:
    try:
        email = normalise_address(address)
    except AccountError:
        return None
    return db.session.scalar(select(Organiser).where(Organiser.email == email))


def create_organiser(data: NewOrganiser, actor: Organiser | None = None) -> Organiser:
    """Create an active account; refuses an address that already has one.

    Without a password the account is invited: a mail asks the organiser to choose one, so
    that nobody else ever knows it.
    """
    data = data.checked()
    email = data.email
    if db.session.scalar(select(Organiser.id).where(Organiser.email == email)) is not None:
        raise AccountError(
            _l("An organiser with the address %(email)s exists already.", email=email)
        )
    organiser = Organiser(
        email=email, name=data.name, role=data.role, active=True, password_hash=""
    )
    if data.password is not None:
        organiser.set_password(data.password)
    db.session.add(organiser)
    db.session.flush()
    if data.password is None:
        _invite(organiser)
        record_change(ACCOUNT_INVITED, organiser, actor, role=str(organiser.role))
    else:
        record_change(ACCOUNT_CREATED, organiser, actor, role=str(organiser.role))
    return organiser


def _invite(organiser: Organiser) -> None:
    organiser.invited_at = clock.now()
    enqueue_for_organiser(MessageKind.INVITATION, organiser)


def resend_invitation(organiser: Organiser, actor: Organiser | None = None) -> None:
    """Mail a new invitation link to an account whose organiser has not chosen a password."""
    if organiser.password_hash:
        raise AccountError(_l("%(email)s has already chosen a password.", email=organiser.email))
    _invite(organiser)
    record_change(INVITATION_SENT, organiser, actor)


def update_account(
    organiser: Organiser,
    *,
    password: str | None,
    name: str | None = None,
    role: Role | None = None,
    actor: Organiser | None = None,
) -> None:
    """Reactivate the account, end its sessions, lift its sign-in limits, change the name and
    role when given, and set ``password``; with ``None``, mail a link to choose one instead
    (always: the hourly cap is for the public form, not for the operator)."""
    if password is not None:
        check_password_strength(password)
    if role is not None and Role(role) != Role.ADMIN and organiser.role == Role.ADMIN:
        _keep_an_admin(organiser)
    if password is None:
        organiser.sign_out_everywhere()
        _forget_failures(organiser.email)
        enqueue_for_organiser(MessageKind.PASSWORD_RESET, organiser)
    else:
        _set_password(organiser, password)
    organiser.active = True
    if name is not None:
        organiser.name = name.strip()
    if role is not None:
        organiser.role = Role(role)
    record_change(PASSWORD_RESET, organiser, actor, role=str(organiser.role))


def _set_password(organiser: Organiser, password: str) -> None:
    """The new password ends every session and lifts the limits on the account's failures."""
    organiser.set_password(password)
    organiser.invited_at = None
    organiser.sign_out_everywhere()
    _forget_failures(organiser.email)


def change_password(organiser: Organiser, current: str, new: str) -> None:
    """The organiser's own change: the current password is required."""
    if not organiser.check_password(current):
        raise AccountError(_l("The current password is not right."))
    check_password_strength(new)
    _set_password(organiser, new)
    record_change(PASSWORD_CHANGED, organiser, organiser)


def list_organisers() -> list[Organiser]:
    return list(db.session.scalars(select(Organiser).order_by(Organiser.email)))


def set_role(organiser: Organiser, role: Role, actor: Organiser | None = None) -> None:
    role = Role(role)
    if role == organiser.role:
        return
    if organiser.role == Role.ADMIN:
        _keep_an_admin(organiser)
    organiser.role = role
    organiser.sign_out_everywhere()
    record_change(ROLE_CHANGED, organiser, actor, role=str(role))


def set_active(organiser: Organiser, active: bool, actor: Organiser | None = None) -> None:
    if active == organiser.active:
        return
    if not active and organiser.role == Role.ADMIN:
        _keep_an_admin(organiser)
    organiser.active = active
    organiser.sign_out_everywhere()
    if active:
        _forget_failures(organiser.email)
    record_change(REACTIVATED if active else DEACTIVATED, organiser, actor)


def sign_out_everywhere(organiser: Organiser, *, audited: bool = True) -> None:
    """End every session of ``organiser`` (this one included)."""
    organiser.sign_out_everywhere()
    if audited:
        record_change(SIGNED_OUT_EVERYWHERE, organiser, organiser)


def unlock(organiser: Organiser, actor: Organiser | None = None) -> None:
    """Forget the account's recent failed sign-ins, from every source."""
    _forget_failures(organiser.email)
    record_change(SIGN_IN_UNLOCKED, organiser, actor)


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


def record_change(action: str, account: Organiser, actor: Organiser | None, **details) -> None:
    audit.record(action, actor=actor, account=account.email, **details)


def _keep_an_admin(leaving: Organiser) -> None:
    others = db.session.scalar(
        select(func.count(Organiser.id)).where(
            Organiser.role == Role.ADMIN, Organiser.active.is_(True), Organiser.id != leaving.id
        )
    )
    if not others:
        raise AccountError(_l("There must remain at least one active administrator."))


# --- sign-in throttling ------------------------------------------------------------------------


def _window() -> timedelta:
    return timedelta(minutes=int(current_app.config["SIGN_IN_WINDOW_MINUTES"]))


def _typed_address(address: str) -> str:
    return address_key(address)[:254]


def authenticate(address: str, password: str, source: str) -> Organiser:
    """The organiser whose address and password these are, or a refusal.

    ``source`` is the client's address. The password hash is checked in every case before
    anything else is decided, so that the answer takes the same time whatever it is.
    """
    typed = _typed_address(address)
    organiser = db.session.scalar(select(Organiser).where(Organiser.email == typed))
    right = organiser.check_password(password) if organiser else _check_against_nothing(password)
    minutes = throttled_minutes(typed, source)
    if minutes:
        raise SignInThrottled(minutes)
    if not right or organiser is None or not organiser.active:
        record_failure(typed, source, organiser)
        raise _refused()
    return organiser


def signed_in(organiser: Organiser, source: str) -> None:
    """Every step passed (password, and code if any): forget this source's failures.

    Not after the password alone, or someone who knows it could guess codes without end.
    """
    _forget_failures(organiser.email, source)


def _check_against_nothing(password: str) -> bool:
    check_password_hash(dummy_hash(), password)
    return False


def _refused() -> SignInRefused:
    return SignInRefused(_l("The email address or the password is not right."))


def throttled_minutes(typed: str, source: str) -> int:
    """Minutes until ``source`` may try ``typed`` again, or 0 when it may now."""
    config = current_app.config
    since = clock.now() - _window()
    recent = select(func.count(), func.min(SignInFailure.failed_at)).where(
        SignInFailure.failed_at > since, SignInFailure.source == source
    )
    pair_count, pair_oldest = db.session.execute(recent.where(SignInFailure.account == typed)).one()
    source_count, source_oldest = db.session.execute(recent).one()
    oldest = None
    if pair_count >= int(config["SIGN_IN_FAILURES_PER_ADDRESS_AND_SOURCE"]):
        oldest = pair_oldest
    elif source_count >= int(config["SIGN_IN_FAILURES_PER_SOURCE"]):
        oldest = source_oldest
    if oldest is None:
        return 0
    seconds = (oldest + _window() - clock.now()).total_seconds()
    return max(1, math.ceil(seconds / 60))


def record_failure(typed: str, source: str, organiser: Organiser | None) -> None:
    """Store one failure (the caller commits it with the refusal); tell the owner when their
    account sees many."""
    now = clock.now()
    db.session.execute(
        delete(SignInFailure).where(SignInFailure.failed_at < now - timedelta(days=1))
    )
    db.session.add(SignInFailure(account=typed, source=source[:64], failed_at=now))
    if organiser is not None:
        _maybe_tell_owner(organiser, now)


def _maybe_tell_owner(organiser: Organiser, now: datetime) -> None:
    """One mail per window once the account's failures, from all sources, reach the notice
    threshold."""
    since = now - _window()
    failures = db.session.scalar(
        select(func.count()).where(
            SignInFailure.account == organiser.email, SignInFailure.failed_at > since
        )
    )
    if failures + 1 < int(current_app.config["SIGN_IN_NOTICE_AFTER"]):
        return
    told = db.session.scalar(
        select(OutboxMessage.id)
        .where(
            OutboxMessage.organiser_id == organiser.id,
            OutboxMessage.kind == MessageKind.SIGN_IN_FAILURES,
            OutboxMessage.created_at > since,
        )
        .limit(1)
    )
    if told is None:
        enqueue_for_organiser(
            MessageKind.SIGN_IN_FAILURES, organiser, payload={"failures": failures + 1}
        )


def _forget_failures(typed: str, source: str | None = None) -> None:
    statement = delete(SignInFailure).where(SignInFailure.account == typed)
    if source is not None:
        statement = statement.where(SignInFailure.source == source)
    db.session.execute(statement)


def failures_of(organiser: Organiser) -> int:
    """Failed sign-ins on the account in the current window, from every source."""
    return db.session.scalar(
        select(func.count()).where(
            SignInFailure.account == organiser.email,
            SignInFailure.failed_at > clock.now() - _window(),
        )
    )


# --- links to choose a password (invitation, "forgot your password?") --------------------------

_TOKEN_SALT = "eventsvc.account-password"


class _ClockSigner(TimestampSigner):
    """Dates links by the app's clock (:mod:`eventsvc.clock`), as everything else is."""

    def get_timestamp(self) -> int:
        return int(clock.now().timestamp())


def _serializer() -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(
        current_app.config["SECRET_KEY"], salt=_TOKEN_SALT, signer=_ClockSigner
    )


def _fingerprint(organiser: Organiser) -> str:
    """Changes when the password does: a used link (or one older than the last password) dies."""
    return hashlib.sha256((organiser.password_hash or "").encode()).hexdigest()[:20]


def password_token(organiser: Organiser, kind: MessageKind) -> str:
    return _serializer().dumps([organiser.id, _fingerprint(organiser), str(kind)])


def _max_age(kind: str) -> int:
    if kind == MessageKind.INVITATION:
        return int(current_app.config["INVITATION_MAX_AGE"])
    return int(current_app.config["PASSWORD_RESET_MAX_AGE"])


def organiser_for_token(token: str) -> Organiser | None:
    """The account a password link is for, or ``None`` if it is forged, used or expired."""
    serializer = _serializer()
    try:
        kind = serializer.loads(token)[2]  # signed; its age is checked on the next line
        organiser_id, fingerprint, kind = serializer.loads(token, max_age=_max_age(kind))
    except (BadSignature, SignatureExpired, ValueError, TypeError):
        return None
    organiser = db.session.get(Organiser, organiser_id) if isinstance(organiser_id, int) else None
    if organiser is None or not organiser.active or _fingerprint(organiser) != fingerprint:
        return None
    return organiser


def request_password_reset(address: str) -> None:
    """Mail a link to choose a new password if ``address`` has an active account; else nothing
    (the page says the same in both cases)."""
    organiser = find_by_email(address)
    if organiser is None or not organiser.active:
        return
    if _mailed_lately(organiser, MessageKind.PASSWORD_RESET, RESET_MAILS_PER_HOUR):
        return  # nobody can flood an organiser's mailbox through this form
    enqueue_for_organiser(MessageKind.PASSWORD_RESET, organiser)


def _mailed_lately(organiser: Organiser, kind: MessageKind, at_most: int) -> bool:
    """Whether ``organiser`` got ``at_most`` messages of ``kind`` in the last hour."""
    count = db.session.scalar(
        select(func.count()).where(
            OutboxMessage.organiser_id == organiser.id,
            OutboxMessage.kind == kind,
            OutboxMessage.created_at > clock.now() - timedelta(hours=1),
        )
    )
    return count >= at_most


def reset_password(organiser: Organiser, password: str) -> None:
    """Set the password chosen through a link (invitation or reset)."""
    check_password_strength(password)
    _set_password(organiser, password)
    record_change(PASSWORD_CHANGED, organiser, organiser)
