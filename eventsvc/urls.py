"""Links: absolute ones from ``PUBLIC_BASE_URL`` (never the request's Host header), the bearer
links of registrations and organiser accounts, and the one check of a ``next`` address before
redirecting to it.

Every absolute or tokenised link is built here, for pages, mail and calendar files alike: the
tokens come from the services (:mod:`eventsvc.services.tokens`,
:func:`eventsvc.services.organisers.password_token`), the addresses from here.
"""

import re
from functools import lru_cache
from urllib.parse import urlsplit

from flask import current_app, request, url_for

from eventsvc.models import MessageKind, Organiser, Registration
from eventsvc.services import joins, organisers, tokens

#: Characters a browser drops from a URL before reading it (tab, CR, LF) and the other controls:
#: ``/\t/evil.example`` reaches the browser as ``//evil.example``.
_CONTROL = re.compile(r"[\x00-\x1f\x7f]")

#: Stands for the token in a cached personal-page URL; URL-safe, so ``url_for`` keeps it as is.
_TOKEN_MARK = "TOKENxMARKxTOKEN"


def external_url(endpoint: str, **values) -> str:
    """``url_for`` against ``PUBLIC_BASE_URL``, usable from the mail worker."""
    app = current_app._get_current_object()
    with app.test_request_context("/", base_url=app.config["PUBLIC_BASE_URL"]):
        return url_for(endpoint, _external=True, **values)


def public_url(endpoint: str, **values) -> str:
    """An absolute link for a page being served (``og:url``, ``hreflang``, feeds): the site's
    configured address plus the path, so that a forged ``Host`` header changes nothing."""
    path = url_for(endpoint, **values)
    root = request.script_root if request else ""
    if root and path.startswith(root):
        path = path[len(root) :]
    return current_app.config["PUBLIC_BASE_URL"].rstrip("/") + path


def manage_url(registration: Registration) -> str:
    """The registrant's personal page (view, change languages, download the invite, cancel)."""
    pattern = _token_url_pattern(
        "attendee.manage", current_app.config["PUBLIC_BASE_URL"], registration.language
    )
    return pattern.replace(_TOKEN_MARK, tokens.make_token(registration))


@lru_cache(maxsize=128)
def _token_url_pattern(endpoint: str, base_url: str, lang: str) -> str:
    """A personal URL with a mark for the token: routing it once per endpoint, base URL and
    language is enough."""
    return external_url(endpoint, lang=lang, token=_TOKEN_MARK)


def join_url(registration: Registration) -> str:
    """The registrant's personal join link (``services.joins``): it records the opening and
    leads to the meeting, or waits, or says the event is over. Never the raw address."""
    pattern = _token_url_pattern(
        "join.open", current_app.config["PUBLIC_BASE_URL"], registration.language
    )
    return pattern.replace(_TOKEN_MARK, joins.make_token(registration))


def certificate_url(code: str) -> str:
    """The public page that confirms a certificate of attendance (``/certificates/<code>``,
    which opens in the visitor's language)."""
    return external_url("certificate_redirect", code=code)


def choose_password_url(organiser: Organiser, kind: MessageKind) -> str:
    """The link of an invitation or a password reset, signed now from the account's current
    password: a link mailed before the password changed is dead on arrival."""
    token = organisers.password_token(organiser, kind)
    return external_url("organiser.choose_password", token=token)


def safe_next(target: str | None) -> str | None:
    """``target`` if it is a path on this site, else ``None`` (no open redirects).

    Refused: anything with a scheme or host, ``//host`` and ``/\\host`` (read as ``//host``),
    and any control character, which browsers strip (``/%09/evil.example``) and which cannot go
    into a ``Location`` header (CR/LF).
    """
    if not target or _CONTROL.search(target) or "\\" in target:
        return None
    parts = urlsplit(target)
    if parts.scheme or parts.netloc or not target.startswith("/") or target.startswith("//"):
        return None
    return target


def subscription_url(subscription) -> str:
    """A subscription's own page (preferences; ``/confirm`` and ``/unsubscribe`` below it), in
    the language its mail is written in. Every subscription mail carries it."""
    from eventsvc.services import subscriptions

    token = subscriptions.make_token(subscription, subscriptions.PREFERENCES)
    return external_url("public.subscription", lang=subscription.language, token=token)
