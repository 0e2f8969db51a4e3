"""gunicorn's access log without personal data: ``gunicorn.conf.py`` sets this logger class.

Masked before any format atom is built (``%(r)s``, ``%(U)s``, ``%(q)s``, ``%(f)s`` and the
``{…}e`` environ atoms alike):

- bearer tokens in paths: ``/en/registrations/<token>/…`` -> ``/en/registrations/[token]/…``,
  and the organiser's ``/password/choose/<token>``
- query values, such as an organiser's attendee search (``?q=Awa+Diop`` -> ``?q=[…]``), except
  those of :data:`PLAIN_QUERY_KEYS`, which never carry personal data.
"""

import re

from gunicorn.glogging import Logger

#: Paths that carry a bearer token: personal pages and organiser password links.
TOKEN_IN_PATH = re.compile(r"(/registrations/|/password/choose/)[^/?#\s]{16,}")
PLAIN_QUERY_KEYS = frozenset({"lang", "page", "sep", "table", "status"})
MASK = "[…]"


def mask_query(query: str) -> str:
    pairs = []
    for pair in query.split("&"):
        key, equals, _value = pair.partition("=")
        pairs.append(pair if not equals or key in PLAIN_QUERY_KEYS else f"{key}={MASK}")
    return "&".join(pairs)


def mask_target(target: str) -> str:
    """A request target or URL (path, query, fragment) with tokens and query values masked."""
    path, question, query = target.partition("?")
    path = TOKEN_IN_PATH.sub(r"\1[token]", path)
    return f"{path}?{mask_query(query)}" if question else path


class MaskingLogger(Logger):
    def atoms(self, resp, req, environ, request_time):
        environ = dict(environ)
        for key in ("RAW_URI", "REQUEST_URI", "HTTP_REFERER"):
            if environ.get(key):
                environ[key] = mask_target(environ[key])
        if environ.get("PATH_INFO"):
            environ["PATH_INFO"] = TOKEN_IN_PATH.sub(r"\1[token]", environ["PATH_INFO"])
        if environ.get("QUERY_STRING"):
            environ["QUERY_STRING"] = mask_query(environ["QUERY_STRING"])
        return super().atoms(resp, req, environ, request_time)
