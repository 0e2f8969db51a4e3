"""Links: absolute ones from ``PUBLIC_BASE_URL`` (never the request's Host header), and the one
check of a ``next`` address before redirecting to it."""

import re
from urllib.parse import urlsplit

from flask import current_app, request, url_for

#: Characters a browser drops from a URL before reading it (tab, CR, LF) and the other controls:
#: ``/\t/evil.example`` reaches the browser as ``//evil.example``.
_CONTROL = re.compile(r"[\x00-\x1f\x7f]")


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
