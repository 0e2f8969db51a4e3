"""Web addresses as people type them: one rule for every input that takes a link."""

import re
from urllib.parse import urlsplit

#: A host name with a dot, then a port, path, query or nothing: what an address pasted without
#: its scheme starts with (``zoom.us/j/123``), and what ``javascript:…`` never does.
_BARE_HOST = re.compile(r"^[a-z0-9-]+(\.[a-z0-9-]+)+(:\d+)?([/?#]|$)", re.IGNORECASE)


def complete_url(url: str | None) -> str:
    """``zoom.us/j/123`` as ``https://zoom.us/j/123`` (the editors' link fields): people
    paste addresses without a scheme. Anything else is left for validation to judge."""
    url = (url or "").strip()
    if _BARE_HOST.match(url):
        return "https://" + url
    return url


def is_web_address(url: str) -> bool:
    """An ``http``/``https`` address with a host and no white space (length is the caller's)."""
    parts = urlsplit(url)
    return parts.scheme in ("http", "https") and bool(parts.netloc) and not re.search(r"\s", url)


def web_origin(value: str | None) -> str | None:
    """``value`` as an origin, ``scheme://host[:port]`` in lower case (a trailing ``/`` is
    allowed), or ``None`` when it is not one: another scheme, a path, a query, a user name,
    a bad port. The one rule for ``EMBED_ALLOWED_ORIGINS`` and an event's own list."""
    parts = urlsplit(str(value or "").strip())
    try:
        parts.port  # noqa: B018 (raises on a port that is not a number from 0 to 65535)
    except ValueError:
        return None
    if (
        parts.scheme.lower() in ("http", "https")
        and parts.hostname
        and not (parts.path.strip("/") or parts.query or parts.fragment)
        and all(c.isalnum() or c in ".-:[]" for c in parts.netloc)
        and not parts.netloc.endswith(":")
    ):
        return f"{parts.scheme}://{parts.netloc}".lower()
    return None
