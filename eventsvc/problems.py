"""RFC 9457 problem details: the one shape of every error the API answers.

``application/problem+json`` with ``type``, ``title``, ``status``, ``detail`` and, for bad
input, ``errors``: one entry per problem, naming the request part at fault by its path
(``{"pointer": "/email"}`` for a JSON body, ``{"parameter": "from"}`` for a query parameter,
``{"header": "Authorization"}``), each with its ``detail`` in words.

Used by the API blueprint and, for URLs under ``/api/`` that no route matched (404, 405) or
that failed (500), by :mod:`eventsvc.errors`, so that no HTML error page is ever served there.
"""

from http import HTTPStatus

from flask import current_app, json

MEDIA_TYPE = "application/problem+json"

#: The prefix of every path answered with problem details, whatever the error.
API_PREFIX = "/api/"


def is_api_path(path: str) -> bool:
    return path == API_PREFIX.rstrip("/") or path.startswith(API_PREFIX)


def problem(
    status: int,
    detail: str | None = None,
    *,
    kind: str | None = None,
    errors: list[dict] | None = None,
    headers: dict | None = None,
):
    """A ``application/problem+json`` response. ``kind`` names the problem type (a fragment of
    the API's documentation page, e.g. ``invalid-input``); without it the type is
    ``about:blank`` and the title the status's standard phrase, as RFC 9457 asks."""
    title = HTTPStatus(status).phrase
    body = {
        "type": f"{_docs_base()}#problem-{kind}" if kind else "about:blank",
        "title": title,
        "status": status,
    }
    if detail:
        body["detail"] = str(detail)
    if errors:
        body["errors"] = [{key: str(value) for key, value in e.items()} for e in errors]
    response = current_app.response_class(
        json.dumps(body, ensure_ascii=False), status=status, mimetype=MEDIA_TYPE
    )
    for name, value in (headers or {}).items():
        response.headers[name] = value
    return response


def _docs_base() -> str:
    return current_app.config["PUBLIC_BASE_URL"].rstrip("/") + "/api/v1/docs"
