"""Personal registration links: a signed registration id, so nothing secret is stored.

The signature uses the instance's SECRET_KEY with its own salt; a tampered or foreign token
fails to load and the page answers 404.
"""

from functools import cache

from flask import current_app
from itsdangerous import BadSignature, URLSafeSerializer

from eventsvc.extensions import db
from eventsvc.models import Registration

_SALT = "eventsvc.registration"


def _serializer() -> URLSafeSerializer:
    return _serializer_for(current_app.config["SECRET_KEY"])


@cache
def _serializer_for(secret_key: str) -> URLSafeSerializer:
    """One serializer per key: the mail worker signs a token for every message it sends."""
    return URLSafeSerializer(secret_key, salt=_SALT)


def make_token(registration: Registration) -> str:
    return _serializer().dumps(registration.id)


def registration_for_token(token: str) -> Registration | None:
    try:
        registration_id = _serializer().loads(token)
    except BadSignature:
        return None
    if not isinstance(registration_id, int):
        return None
    registration = db.session.get(Registration, registration_id)
    if registration is None or registration.anonymised_at is not None:
        return None
    return registration
