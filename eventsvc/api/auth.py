"""Who is calling: an organiser's API token (``Authorization: Bearer evs_…``) or nobody.

A token acts as its organiser would in the workspace (:func:`services.assignments.may_access`:
admins every event, others the events assigned to them); a ``read`` token may not write. The
rate limits count per token (``API_RATELIMIT_TOKEN``), anonymous calls per client address
(``API_RATELIMIT_ANONYMOUS``), in the limits' shared storage.
"""

from functools import wraps

from flask import abort, current_app, request
from flask_limiter.util import get_remote_address
from sqlalchemy import select

from eventsvc.extensions import db
from eventsvc.models import ApiToken, Event
from eventsvc.problems import problem
from eventsvc.services import api_tokens, assignments
from eventsvc.unit_of_work import unit_of_work

CHALLENGE = 'Bearer realm="eventsvc"'


def bearer() -> str | None:
    header = request.headers.get("Authorization", "")
    scheme, _, value = header.partition(" ")
    if scheme.lower() != "bearer" or not value.strip():
        return None
    return value.strip()


_UNREAD = object()


def _live_token() -> ApiToken | None:
    """The request's token if it is live, looked up once per request.

    Kept on the request, not on ``g``: ``g`` belongs to the application context, which a
    request shares with whoever pushed one before it (a test, a CLI command calling the app),
    and a token checked for one request must never vouch for the next."""
    found = getattr(request, "_api_live_token", _UNREAD)
    if found is _UNREAD:
        token = bearer()
        found = api_tokens.find(token) if token is not None else None
        request._api_live_token = found
    return found


def rate_limit() -> str:
    if _live_token() is not None:
        return current_app.config["API_RATELIMIT_TOKEN"]
    return current_app.config["API_RATELIMIT_ANONYMOUS"]


def rate_limit_key() -> str:
    """One bucket per live token, else per client address: made-up tokens count against the
    address, so that sending a new one each time buys no extra calls."""
    row = _live_token()
    if row is not None:
        return f"api-token:{row.id}"
    return "api-anon:" + (get_remote_address() or "")


def _unauthorized(detail: str, error: str):
    return problem(
        401,
        detail,
        kind="unauthorized",
        headers={"WWW-Authenticate": f'{CHALLENGE}, error="{error}"'},
    )


def token_required(*, write: bool = False):
    """The view needs a live token (401 otherwise), a read-write one when ``write`` (403)."""

    def decorator(view):
        @wraps(view)
        def wrapped(*args, **kwargs):
            token = bearer()
            if token is None:
                abort(
                    problem(
                        401,
                        "This call needs an API token: Authorization: Bearer <token>.",
                        kind="unauthorized",
                        headers={"WWW-Authenticate": CHALLENGE},
                    )
                )
            with unit_of_work():
                row = _live_token()
                if row is not None:
                    api_tokens.note_use(row)
            if row is None:
                abort(_unauthorized("This token is not valid or was revoked.", "invalid_token"))
            if write and not row.may_write:
                abort(
                    problem(
                        403,
                        "This token may only read: make a read and write token to change data.",
                        kind="insufficient-scope",
                        headers={"WWW-Authenticate": f'{CHALLENGE}, error="insufficient_scope"'},
                    )
                )
            request._api_token = row
            return view(*args, **kwargs)

        return wrapped

    return decorator


def current_token() -> ApiToken:
    return request._api_token


def event_or_404(slug: str) -> Event:
    """The event at ``slug`` if the token's organiser may see it; otherwise 404, as in the
    workspace: an event one may not see is one that does not exist."""
    event = db.session.scalar(select(Event).where(Event.slug == slug))
    if event is None or not assignments.may_access(current_token().organiser, event.id):
        abort(problem(404, "No event of yours has this slug.", kind="not-found"))
    return event
