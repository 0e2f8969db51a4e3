"""HTTP hardening: security headers, trusted proxy headers, settings checked before serving.

Production is ``EVENTSVC_ENV=production`` (config ``ENV``) or ``PRODUCTION = True``. There the
app refuses to start without an explicit ``SECRET_KEY``: a key generated into the instance folder
is fine on one laptop, but several hosts or containers would each generate their own and reject
one another's sessions and CSRF tokens.
"""

import logging
from itertools import chain
from pathlib import Path

from flask import Flask, abort, request
from werkzeug.middleware.proxy_fix import ProxyFix

from eventsvc import identity
from eventsvc.services.inputs.web import web_origin

log = logging.getLogger(__name__)

#: No inline script or style anywhere: templates load ``static/`` files only.
DEFAULT_CSP = "; ".join(
    [
        "default-src 'self'",
        "script-src 'self'",
        "style-src 'self'",
        "img-src 'self' data:",
        "object-src 'none'",
        "frame-ancestors 'none'",
        "form-action 'self'",
        "base-uri 'self'",
    ]
)

DEFAULT_PERMISSIONS_POLICY = "camera=(), microphone=(), geolocation=(), payment=(), usb=()"

HSTS_MAX_AGE = 365 * 24 * 3600


class InsecureConfiguration(RuntimeError):
    """A setting that must not reach production as it is."""


def is_production(app: Flask) -> bool:
    if app.debug or app.testing:
        return False
    return bool(app.config.get("PRODUCTION")) or app.config.get("ENV") == "production"


def uses_https(app: Flask) -> bool:
    """Whether visitors reach the site over HTTPS (``HTTPS = True`` or an https base URL)."""
    config = app.config
    return (
        bool(config.get("HTTPS"))
        or config.get("PREFERRED_URL_SCHEME") == "https"
        or str(config.get("PUBLIC_BASE_URL") or "").startswith("https://")
    )


def refuse_generated_secret_key(app: Flask) -> None:
    """Called before a key would be generated into the instance folder: not in production."""
    if is_production(app):
        raise InsecureConfiguration(
            "SECRET_KEY is not set. In production set EVENTSVC_SECRET_KEY (or SECRET_KEY in "
            "instance/config.py) to the same long random value on every host, e.g. the output "
            "of: python -c 'import secrets; print(secrets.token_hex(32))'"
        )


#: Bytes a secret key needs: 256 bits, what ``secrets.token_hex(32)`` gives as text.
SECRET_KEY_MIN_BYTES = 32


def refuse_weak_secret_key(app: Flask, key: str, key_file: Path | None = None) -> None:
    """An empty key signs nothing worth trusting, anywhere; a short one is refused in production
    and in the instance file ``key_file`` (which only ever holds generated keys)."""
    length = len(key.encode())
    from_file = key_file is not None
    if length == 0 or (length < SECRET_KEY_MIN_BYTES and (is_production(app) or from_file)):
        remedy = " (or delete that file to have a new one generated)" if from_file else ""
        source = key_file if from_file else "the settings"
        raise InsecureConfiguration(
            f"SECRET_KEY from {source} is {'empty' if not length else f'only {length} bytes'}; "
            f"it needs at least {SECRET_KEY_MIN_BYTES} random bytes. Set it to the output of: "
            f"python -c 'import secrets; print(secrets.token_hex(32))'{remedy}."
        )


def init_app(app: Flask) -> None:
    _check_production_settings(app)
    _trust_proxy_headers(app)
    if uses_https(app):
        app.config.update(
            SESSION_COOKIE_SECURE=True,
            REMEMBER_COOKIE_SECURE=True,
            PREFERRED_URL_SCHEME="https",
        )
    app.config.setdefault("REMEMBER_COOKIE_HTTPONLY", True)
    app.before_request(_refuse_nul_characters)
    app.after_request(_security_headers)


def _check_production_settings(app: Flask) -> None:
    if not is_production(app):
        return
    if not app.config.get("SECRET_KEY"):
        refuse_generated_secret_key(app)
    if problems := identity.placeholders(app):
        raise InsecureConfiguration(" ".join(problems))
    if not str(app.config.get("PASSWORD_HASH_METHOD") or "scrypt").startswith("scrypt"):
        raise InsecureConfiguration("PASSWORD_HASH_METHOD must stay scrypt in production.")
    if str(app.config.get("RATELIMIT_STORAGE_URI", "")).startswith("memory://"):
        log.warning(
            "Rate limits are counted in memory, per process: with several workers each one "
            "allows the full limit. Leave EVENTSVC_RATELIMIT_STORAGE_URI at database:// or set "
            "it to redis://… so that all workers share the counts."
        )
    if not uses_https(app):
        log.warning("Production without HTTPS: session cookies are not marked Secure.")
    if not app.config.get("MAIL_SERVER"):
        log.warning(
            "MAIL_SERVER is not set: no one receives mail. Every message is written to %s as an "
            ".eml file holding the registrant's name, address and personal link. Set "
            "EVENTSVC_MAIL_SERVER (see docs/mail.md).",
            f"{app.instance_path}/mail/",
        )


def _trust_proxy_headers(app: Flask) -> None:
    """Honour X-Forwarded-For/-Proto/-Host/-Port/-Prefix from exactly PROXY_FIX_HOPS proxies.

    Off by default: without a proxy in front, anyone could forge their address (and dodge the
    rate limits) with one header.
    """
    hops = int(app.config.get("PROXY_FIX_HOPS") or 0)
    if hops > 0:
        app.wsgi_app = ProxyFix(
            app.wsgi_app, x_for=hops, x_proto=hops, x_host=hops, x_port=hops, x_prefix=hops
        )


def _refuse_nul_characters():
    """400 for a NUL character in the path, query or form: no browser sends one, and
    PostgreSQL cannot store or even compare text holding one (it would end as a 500)."""
    if "\x00" in request.path:
        abort(400)
    fields = []
    if request.query_string:
        fields.append(request.args.items(multi=True))
    if request.content_length or request.headers.get("Transfer-Encoding"):
        fields.append(request.form.items(multi=True))
    if any("\x00" in k or "\x00" in v for k, v in chain.from_iterable(fields)):
        abort(400)


def security_headers(app: Flask) -> dict[str, str]:
    """The headers every answer carries unless its view set them itself."""
    config = app.config
    headers = {
        "Content-Security-Policy": config.get("CONTENT_SECURITY_POLICY") or DEFAULT_CSP,
        "X-Content-Type-Options": "nosniff",
        "Referrer-Policy": "strict-origin-when-cross-origin",
        "X-Frame-Options": "DENY",
        "Cross-Origin-Opener-Policy": "same-origin",
        "Permissions-Policy": config.get("PERMISSIONS_POLICY") or DEFAULT_PERMISSIONS_POLICY,
    }
    if uses_https(app):
        max_age = int(config.get("HSTS_MAX_AGE", HSTS_MAX_AGE))
        headers["Strict-Transport-Security"] = f"max-age={max_age}"
    return headers


def allowed_frame_origins(value) -> list[str]:
    """The origins of ``EMBED_ALLOWED_ORIGINS`` (a list, or a string of origins separated by
    spaces or commas), each as ``scheme://host[:port]``; anything else is left out with a
    warning, so that no setting can add a directive to the policy."""
    if isinstance(value, str):
        value = value.replace(",", " ").split()
    origins = []
    for item in value or ():
        origin = web_origin(item)
        if origin is not None:
            origins.append(origin)
        else:
            log.warning("EMBED_ALLOWED_ORIGINS: %r is not an origin (scheme://host[:port])", item)
    return origins


def frame_ancestors_policy(app: Flask, origins: list[str]) -> str:
    """The site's Content-Security-Policy with ``frame-ancestors`` set to ``origins``
    (``'none'`` when there are none): the policy of the pages made to be embedded."""
    policy = app.config.get("CONTENT_SECURITY_POLICY") or DEFAULT_CSP
    ancestors = "frame-ancestors " + (" ".join(origins) or "'none'")
    directives = [
        part.strip()
        for part in policy.split(";")
        if part.strip() and not part.strip().lower().startswith("frame-ancestors")
    ]
    return "; ".join([*directives, ancestors])


def allow_framing(response, origins: list[str]):
    """Let the pages of ``origins`` frame ``response`` (and no other): the embed pages only."""
    from flask import current_app

    response.headers["Content-Security-Policy"] = frame_ancestors_policy(current_app, origins)
    response.framing_allowed = True
    return response


def _security_headers(response):
    from flask import current_app

    present = {name.lower() for name, _value in response.headers}
    if getattr(response, "framing_allowed", False):
        present.add("x-frame-options")  # CSP frame-ancestors decides; DENY would override it
    response.headers.extend(
        (name, value)
        for name, value in security_headers(current_app).items()
        if name.lower() not in present
    )
    return response
