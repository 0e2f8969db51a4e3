"""Cursor pagination: opaque, signed cursors that carry where the last page ended.

A cursor is the sort key of the last item of a page (e.g. ``[starts_at, id]``) plus a digest of
the filters it was made for, signed with the app's secret (``itsdangerous``), so a client can
neither forge a position nor reuse a cursor with other filters (a 400 naming ``cursor``).
Keyset pagination, not offsets: a registration made while a client pages through a list moves
nothing under it, and each page costs the same however deep.
"""

import hashlib
import json

from flask import current_app, request
from itsdangerous import BadSignature, URLSafeSerializer

from eventsvc.api.params import BadParameters

DEFAULT_LIMIT = 50
MAX_LIMIT = 200


def _serializer(kind: str) -> URLSafeSerializer:
    return URLSafeSerializer(current_app.config["SECRET_KEY"], salt=f"api-cursor:{kind}")


def _filters_digest() -> str:
    args = request.args.items(multi=True)
    shown = sorted((k, v) for k, v in args if k not in ("cursor", "limit"))
    return hashlib.sha256(json.dumps(shown).encode()).hexdigest()[:16]


def make_cursor(kind: str, key: list) -> str:
    return _serializer(kind).dumps({"k": key, "f": _filters_digest()})


def read_cursor(kind: str, cursor: str | None, problems: BadParameters) -> list | None:
    """The sort key a cursor carries, or ``None`` for the first page; a bad cursor is noted in
    ``problems``."""
    if not cursor:
        return None
    try:
        payload = _serializer(kind).loads(cursor)
    except BadSignature:
        problems.add("cursor", "This cursor is not one this API gave out.")
        return None
    if not isinstance(payload, dict) or payload.get("f") != _filters_digest():
        problems.add("cursor", "This cursor was made for other filters: start again without it.")
        return None
    key = payload.get("k")
    return key if isinstance(key, list) else None


def read_limit(problems: BadParameters) -> int:
    raw = request.args.get("limit")
    if raw is None:
        return DEFAULT_LIMIT
    if not raw.isdigit() or not 1 <= int(raw) <= MAX_LIMIT:
        problems.add("limit", f"Give a whole number from 1 to {MAX_LIMIT}.")
        return DEFAULT_LIMIT
    return int(raw)


def page(items: list, limit: int, kind: str, key_of) -> tuple[list, str | None]:
    """The first ``limit`` of ``items`` (fetched as ``limit + 1``) and the next page's cursor."""
    if len(items) <= limit:
        return items, None
    shown = items[:limit]
    return shown, make_cursor(kind, key_of(shown[-1]))
