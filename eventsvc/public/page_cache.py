"""Rendered event pages, kept per process and keyed by everything they show.

An event's page is the same for every visitor of a locale but for two things: the visitor's
CSRF token and the number of places left. Rendering it (ORM objects, Jinja, about thirty
translated strings, the registration form) cost ten times what serving it does, so it is
rendered once with a slot for each of the two, kept, and the slots are filled per request.

The key holds what else can change the page: the request's address (host, prefix, locale, query),
the event's ``content_version`` (raised by any change to the event, its texts or its partners,
read from the database on every request so that every worker sees it), the state that depends
on the clock (why registration is closed, whether the event is still ahead) and whether the
event has a capacity and is full. A page that carries flashed messages, and any page while
templates reload (development), is rendered afresh.
"""

from collections.abc import Callable

from flask import current_app, request, session
from flask_wtf.csrf import generate_csrf
from markupsafe import escape

PAGES_KEPT = 256
TOKEN_SLOT = "\x00csrf-token\x00"  # NUL characters: never in a template or a text of ours
PLACES_SLOT = "\x00places-left\x00"
_CACHE = "eventsvc.event_pages"


def _address(environ) -> tuple:
    """What the page's own links and its language switch are built from: scheme, host, prefix,
    path and query, as the server received them (a proxy's headers already applied)."""
    return (
        environ.get("wsgi.url_scheme"),
        environ.get("HTTP_HOST"),
        environ.get("SERVER_NAME"),
        environ.get("SERVER_PORT"),
        environ.get("SCRIPT_NAME"),
        environ.get("PATH_INFO"),
        environ.get("QUERY_STRING"),
    )


def cached_page(state: tuple, render: Callable[[str, str], str], places_text: str) -> str:
    """The page for ``state``, with this visitor's token and ``places_text`` put in.

    ``render(token, places)`` renders the page with those two strings where the token and the
    places-left sentence go; it is called with the slots on a miss and with the real values
    when the page must not be cached.
    """
    token = current_app.config["WTF_CSRF_ENABLED"]  # the form carries a token when CSRF is on
    if session.get("_flashes") or current_app.jinja_env.auto_reload:
        return render(generate_csrf() if token else "", places_text)
    pages = current_app.extensions.setdefault(_CACHE, {})
    key = (*_address(request.environ), token, *state)
    page = pages.get(key)
    if page is None:
        page = render(TOKEN_SLOT if token else "", PLACES_SLOT)
        if len(pages) >= PAGES_KEPT:
            pages.clear()
        pages[key] = page
    if token:
        page = page.replace(TOKEN_SLOT, generate_csrf())
    return page.replace(PLACES_SLOT, str(escape(places_text)))
