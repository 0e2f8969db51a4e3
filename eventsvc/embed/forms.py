"""The embedded registration form: the public form's fields and checks, with a signed token bound
to the event in place of the session's CSRF token.

A frame on another site's page may not keep cookies (third-party cookies blocked), so Flask-WTF's
token, which lives in the session, cannot be checked there. The form token is signed with the
app's secret key (itsdangerous), names the event, and expires after ``EMBED_FORM_MAX_AGE``
seconds, as a CSRF token does: a post without a valid one for this event registers nobody. The
honeypot, the rate limits and the mailbox caps of the public form apply unchanged.
"""

from functools import lru_cache

from flask import current_app
from flask_babel import lazy_gettext as _l
from itsdangerous import BadSignature, SignatureExpired, URLSafeTimedSerializer
from wtforms import HiddenField

from eventsvc.models import Event
from eventsvc.public.forms import RegistrationForm
from eventsvc.public.subscriptions import SubscriptionForm

SALT = "eventsvc.embed.form"

#: Shown when the token is missing, forged, for another event or expired (the details stay).
EXPIRED = _l(
    "This form was open too long or could not be checked. Nothing was lost: your details are "
    "below. Please send the form again."
)


def _serializer() -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(current_app.config["SECRET_KEY"], salt=SALT)


def form_token(event: Event | None) -> str:
    """A token for ``event``'s registration form, or (``None``) for the subscribe form."""
    return _serializer().dumps({"event": None if event is None else event.id})


def token_is_valid(token: str | None, event: Event | None) -> bool:
    if not token:
        return False
    try:
        data = _serializer().loads(token, max_age=int(current_app.config["EMBED_FORM_MAX_AGE"]))
    except (SignatureExpired, BadSignature):
        return False
    expected = None if event is None else event.id
    return isinstance(data, dict) and "event" in data and data["event"] == expected


class _TokenChecks:
    def token_is_valid(self) -> bool:
        return token_is_valid(self.form_token.data, self.event)

    def renew_token(self) -> None:
        self.form_token.data = form_token(self.event)


@lru_cache(maxsize=16)
def _embed_form_class(base):
    class Meta:
        csrf = False  # the session cannot be relied on in a frame: the form token stands in

    return type(
        "EmbedRegistrationForm", (_TokenChecks, base), {"Meta": Meta, "form_token": HiddenField()}
    )


def embed_registration_form(event: Event, **kwargs):
    """The registration form of ``event`` for the embed: the public form's fields, no session
    CSRF token, a fresh form token (a submitted token is kept to be checked)."""
    return _embed_form_class(RegistrationForm)(event, **kwargs)


class EmbedSubscriptionForm(SubscriptionForm):
    """The subscribe form inside a frame: the same fields and checks, the form token in place
    of the session's CSRF token."""

    class Meta:
        csrf = False

    form_token = HiddenField()

    def token_is_valid(self) -> bool:
        return token_is_valid(self.form_token.data, None)

    def renew_token(self) -> None:
        self.form_token.data = form_token(None)
