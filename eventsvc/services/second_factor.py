"""Optional second factor for organisers: TOTP (RFC 6238) codes and single-use recovery codes.

The secret is chosen when the organiser starts setting up and stored only once they have typed a
code their app made from it. Recovery codes are random (40 bits each, and tried only under the
sign-in limits), so a SHA-256 of each is enough to store them; one is crossed out when used.
"""

import hashlib
import hmac
import secrets

import pyotp
import segno
from flask import current_app
from flask_babel import lazy_gettext as _l
from sqlalchemy import text

from eventsvc import clock
from eventsvc.extensions import db
from eventsvc.models import Organiser, SiteSetting
from eventsvc.services import DomainError, organisers

RECOVERY_CODE_COUNT = 10


class SecondFactorError(DomainError):
    """A code that does not match, or a change refused."""


REQUIRED = "require_second_factor"


def required() -> bool:
    """Whether every organiser must have a second factor: ``REQUIRE_SECOND_FACTOR`` in the
    settings, or the administrators' choice on the Organisers page."""
    if current_app.config.get("REQUIRE_SECOND_FACTOR"):
        return True
    setting = db.session.get(SiteSetting, REQUIRED)
    return bool(setting and setting.value.get("on"))


def set_required(on: bool, actor: Organiser) -> None:
    """Refused to an admin without a second factor: they would be the first one stopped."""
    if on and not actor.has_second_factor:
        raise SecondFactorError(_l("Set up your own second factor first, on your account page."))
    setting = db.session.get(SiteSetting, REQUIRED) or SiteSetting(key=REQUIRED)
    setting.value = {"on": bool(on)}
    db.session.add(setting)
    organisers.record_change(
        organisers.SECOND_FACTOR_REQUIRED if on else organisers.SECOND_FACTOR_OPTIONAL,
        actor,
        actor,
    )


def new_secret() -> str:
    return pyotp.random_base32()


def provisioning_uri(organiser: Organiser, secret: str) -> str:
    issuer = current_app.config.get("SITE_NAME") or "eventsvc"
    return pyotp.TOTP(secret).provisioning_uri(name=organiser.email, issuer_name=issuer)


def qr_code_data_uri(uri: str) -> str:
    """An SVG QR code of ``uri`` as a ``data:`` URI (the page's CSP allows data: images)."""
    return segno.make(uri, error="m").svg_data_uri(scale=5, border=2)


def _matching_step(secret: str, code: str) -> int | None:
    """The 30-second step (previous, current or next) whose code ``code`` is, else ``None``."""
    digits = "".join(code.split())
    if not (digits.isascii() and digits.isdigit()):  # "²" is a digit to str.isdigit
        return None
    totp = pyotp.TOTP(secret)
    now = clock.now()
    current = totp.timecode(now)
    for offset in (0, -1, 1):
        if hmac.compare_digest(totp.at(now, counter_offset=offset), digits):
            return current + offset
    return None


def turn_on(organiser: Organiser, secret: str, code: str) -> list[str]:
    """Store ``secret`` if ``code`` comes from it; return the new recovery codes (shown once)."""
    step = _matching_step(secret, code)
    if step is None:
        raise SecondFactorError(_l("This code does not match: check your phone's time and retry."))
    organiser.totp_secret = secret
    organiser.totp_last_step = step
    codes = [_new_recovery_code() for _ in range(RECOVERY_CODE_COUNT)]
    organiser.recovery_codes = [_digest(code) for code in codes]
    organiser.sign_out_everywhere()
    organisers.record_change(organisers.SECOND_FACTOR_ON, organiser, organiser)
    return codes


def turn_off(organiser: Organiser, password: str, actor: Organiser | None = None) -> None:
    """The organiser's own password is required; an admin (``actor``) may do it for someone
    who lost their phone and codes."""
    if actor is None and not organiser.check_password(password):
        raise SecondFactorError(_l("The current password is not right."))
    organiser.totp_secret = None
    organiser.recovery_codes = []
    organiser.sign_out_everywhere()
    organisers.record_change(organisers.SECOND_FACTOR_OFF, organiser, actor or organiser)


def verify(organiser: Organiser, code: str) -> bool:
    """Whether ``code`` is a current TOTP code or an unused recovery code (then used up)."""
    _lock_for_update(organiser)
    step = _matching_step(organiser.totp_secret, code) if organiser.totp_secret else None
    if step is not None:
        if step <= (organiser.totp_last_step or 0):
            return False  # a code works once (RFC 6238, 5.2): a code seen over a shoulder
        organiser.totp_last_step = step
        return True
    digest = _digest(code)
    remaining = list(organiser.recovery_codes or [])
    for stored in remaining:
        if hmac.compare_digest(stored, digest):
            remaining.remove(stored)
            organiser.recovery_codes = remaining
            return True
    return False


def _lock_for_update(organiser: Organiser) -> None:
    """Read the account again under its row's write lock, so that two requests bearing the same
    code (a replay racing the real sign-in) cannot both find it unused.

    As :func:`eventsvc.services.locking.lock_event` does: ``FOR UPDATE`` on PostgreSQL; on SQLite,
    whose plain SELECTs run outside a transaction, a no-op UPDATE takes the database's write lock.
    """
    if db.session.get_bind().dialect.name == "sqlite":
        db.session.execute(
            text("UPDATE organiser SET totp_last_step = totp_last_step WHERE id = :id"),
            {"id": organiser.id},
        )
        db.session.refresh(organiser)
    else:
        db.session.refresh(organiser, with_for_update=True)


def _new_recovery_code() -> str:
    raw = secrets.token_hex(5)  # 10 hex digits, in two groups for reading
    return f"{raw[:5]}-{raw[5:]}"


def _digest(code: str) -> str:
    normalised = "".join(code.split()).replace("-", "").casefold()
    return hashlib.sha256(normalised.encode()).hexdigest()
