"""Error pages in the visitor's language, with a way back."""

import logging

from flask import g, make_response, render_template, request
from flask_babel import refresh
from werkzeug.exceptions import HTTPException, InternalServerError

from eventsvc.i18n import supported_locales
from eventsvc.problems import is_api_path, problem
from eventsvc.unit_of_work import abandon

#: Status codes with a page of their own; any other error uses ``errors/generic.html``.
OWN_PAGES = (400, 403, 404, 429, 500)

log = logging.getLogger(__name__)


def init_app(app) -> None:
    app.register_error_handler(HTTPException, _http_error)
    app.register_error_handler(InternalServerError, _server_error)


def _http_error(error: HTTPException):
    if error.code is None or error.code < 400:
        return error
    if error.response is not None:  # a page of its own, e.g. a refused registration's form
        return error.response
    if error.code >= 500:
        return _server_error(error)
    if is_api_path(request.path):  # never an HTML page under /api (RFC 9457 bodies)
        return _api_problem(error)
    return _error_page(error)


def _api_problem(error: HTTPException):
    headers = {k: v for k, v in error.get_headers() if k.lower() != "content-type"}
    detail = error.description if error.code != 500 else None
    return problem(error.code or 500, detail, headers=headers)


def _server_error(error: HTTPException):
    abandon()  # what the failed request wrote is not kept, and the page reads afresh
    try:
        if is_api_path(request.path):
            return _api_problem(InternalServerError() if error.code is None else error)
        return _error_page(InternalServerError() if error.code is None else error)
    except Exception:  # the error page must not fail in its turn
        log.exception("error page failed")
        return "Internal Server Error", 500, {"Content-Type": "text/plain; charset=utf-8"}


def _error_page(error: HTTPException):
    _adopt_locale_from_path()
    template = f"errors/{error.code}.html" if error.code in OWN_PAGES else "errors/generic.html"
    response = make_response(
        render_template(
            template,
            error=error,
            locale_switch_urls=_locale_switch_urls(),
        ),
        error.code,
    )
    for name, value in error.get_headers():
        if name.lower() != "content-type":
            response.headers[name] = value
    return response


def _path_locale() -> str | None:
    first = request.path.strip("/").split("/", 1)[0]
    return first if first in supported_locales() else None


def _adopt_locale_from_path() -> None:
    """For URLs no route matched, the prefix's locale was never read: read it from the path."""
    if getattr(g, "lang", None) is None and _path_locale() is not None:
        g.lang = _path_locale()
        refresh()


def _locale_switch_urls() -> dict[str, str] | None:
    """The same path under each locale prefix, for pages no route matched."""
    lang = _path_locale()
    if lang is None or request.url_rule is not None:
        return None
    rest = request.path.strip("/").split("/", 1)[1:] or [""]
    return {code: f"/{code}/{rest[0]}" for code in supported_locales()}
