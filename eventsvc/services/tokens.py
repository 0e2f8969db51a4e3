"""Bearer links of a registration (the personal page today; join links and certificate codes
can use other purposes): ``<registration id>.<proof>``.

The proof is an HMAC of the link's purpose keyed with the registration's own random
``link_secret``, stored with the registration. It depends neither on the id alone nor on
``SECRET_KEY``: after a restore rewinds the ids, a new registration that takes an old id has a
new secret, so every link mailed for the lost row is refused. Rotating the secret
(:func:`rotate_secret`, done when a cancelled registration is taken up again) kills every link
of the registration at once. Proofs are compared in constant time.

Registrations that existed before secrets were stored keep ``legacy_links``: for them only,
the old form (the id signed with ``SECRET_KEY``) is still accepted, so links already in
people's inboxes keep working. No registration created since gets the flag.
"""

import base64
import hashlib
import hmac
from functools import cache

from flask import current_app
from itsdangerous import BadSignature, URLSafeSerializer

from eventsvc.extensions import db
from eventsvc.models import Registration
from eventsvc.models.registration import new_link_secret

#: The personal page (view, change languages, invite, cancel).
MANAGE = "manage"

_PROOF_BYTES = 24  # 192 bits, 32 characters in the link
_LEGACY_SALT = "eventsvc.registration"


def make_token(registration: Registration, purpose: str = MANAGE) -> str:
    return f"{registration.id}.{_proof(registration.link_secret, purpose)}"


def registration_for_token(token: str, purpose: str = MANAGE) -> Registration | None:
    """The registration ``token`` opens for ``purpose``, or None (unknown, forged, erased,
    or made with a secret the registration no longer has)."""
    registration_id, _, proof = token.partition(".")
    if registration_id.isascii() and registration_id.isdigit() and len(registration_id) < 19:
        registration = db.session.get(Registration, int(registration_id))
        if registration is None or not hmac.compare_digest(
            proof.encode(), _proof(registration.link_secret, purpose).encode()
        ):
            return None
    elif purpose == MANAGE:
        registration = _legacy_registration(token)
    else:
        return None
    if registration is None or registration.anonymised_at is not None:
        return None
    return registration


def rotate_secret(registration: Registration) -> None:
    """Give ``registration`` a new secret: every link made before stops working."""
    registration.link_secret = new_link_secret()
    registration.legacy_links = False


def _proof(secret: str, purpose: str) -> str:
    digest = hmac.new(secret.encode(), purpose.encode(), hashlib.sha256).digest()
    return base64.urlsafe_b64encode(digest[:_PROOF_BYTES]).decode()


def _legacy_registration(token: str) -> Registration | None:
    """A link mailed before per-registration secrets: valid only for a registration migrated
    with ``legacy_links`` and not re-registered since."""
    try:
        registration_id = _legacy_serializer(current_app.config["SECRET_KEY"]).loads(token)
    except BadSignature:
        return None
    if not isinstance(registration_id, int) or isinstance(registration_id, bool):
        return None
    registration = db.session.get(Registration, registration_id)
    if registration is None or not registration.legacy_links:
        return None
    return registration


@cache
def _legacy_serializer(secret_key: str) -> URLSafeSerializer:
    return URLSafeSerializer(secret_key, salt=_LEGACY_SALT)
