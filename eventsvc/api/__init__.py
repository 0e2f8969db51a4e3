"""The public API, ``/api/v1/``: JSON in, JSON out, described by ``/api/v1/openapi.json``.

Anonymous clients read the published events; an organiser's API token (``Authorization:
Bearer …``, see :mod:`eventsvc.api.auth`) reads and writes the registrations of the events the
organiser may see in the workspace. Every error is an RFC 9457 problem (:mod:`eventsvc.problems`).

CORS is open on this blueprint only (any origin, no cookies: the API never reads the session,
and a token travels in a header a page must set itself); the rest of the site keeps the
browser's same-origin rules. No CSRF token either, for the same reason: no ambient credential.
"""

from flask import Blueprint, request
from werkzeug.exceptions import HTTPException

from eventsvc.extensions import csrf, limiter
from eventsvc.problems import problem

bp = Blueprint("api", __name__, url_prefix="/api/v1")
csrf.exempt(bp)

#: Headers a page on another origin may read (pagination and the rate limits).
EXPOSED_HEADERS = "Link, Retry-After, RateLimit-Limit, RateLimit-Remaining, RateLimit-Reset"


@bp.after_request
def cors(response):
    response.headers["Access-Control-Allow-Origin"] = "*"
    response.headers["Access-Control-Expose-Headers"] = EXPOSED_HEADERS
    if request.method == "OPTIONS":
        response.headers["Access-Control-Allow-Methods"] = "GET, POST, OPTIONS"
        response.headers["Access-Control-Allow-Headers"] = "Authorization, Content-Type"
        response.headers["Access-Control-Max-Age"] = "3600"
    response.headers.setdefault("Cache-Control", "no-store")
    return response


@bp.errorhandler(HTTPException)
def http_problem(error: HTTPException):
    headers = {k: v for k, v in error.get_headers() if k.lower() != "content-type"}
    return problem(error.code or 500, error.description, headers=headers)


from eventsvc.api import auth, docs, events, registrations  # noqa: E402,F401  (routes)

limiter.limit(auth.rate_limit, key_func=auth.rate_limit_key)(bp)
