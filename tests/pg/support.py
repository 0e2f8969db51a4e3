"""PostgreSQL for tests: the server named by EVENTSVC_TEST_DATABASE_URI, one schema per test.

Without the variable the PostgreSQL tests are skipped (and the run says so at the end); with
``EVENTSVC_REQUIRE_POSTGRES=1`` (set by ``.ci/run``) a missing or unreachable server fails them.
"""

import os
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from functools import cache

import pytest
from sqlalchemy import create_engine, make_url, text
from sqlalchemy.exc import OperationalError
from sqlalchemy.pool import NullPool

URI_VARIABLE = "EVENTSVC_TEST_DATABASE_URI"
REQUIRE_VARIABLE = "EVENTSVC_REQUIRE_POSTGRES"
SKIP_PREFIX = "PostgreSQL not available"


def configured_uri() -> str | None:
    return os.environ.get(URI_VARIABLE) or None


def is_required() -> bool:
    return os.environ.get(REQUIRE_VARIABLE, "").lower() in {"1", "true", "yes"}


def display_uri(uri: str) -> str:
    return make_url(uri).render_as_string(hide_password=True)


@cache
def _server_problem(uri: str) -> str | None:
    try:
        engine = create_engine(uri, poolclass=NullPool)
        with engine.connect() as connection:
            connection.execute(text("SELECT 1"))
        engine.dispose()
    except (OperationalError, ValueError, ImportError) as exc:
        return f"cannot connect to {display_uri(uri)}: {exc}".splitlines()[0]
    return None


def postgres_uri() -> str:
    """The server's URI, or skip the test (fail it when PostgreSQL is required)."""
    uri = configured_uri()
    problem = _server_problem(uri) if uri else f"{URI_VARIABLE} is not set"
    if problem is None:
        return uri
    if is_required():
        pytest.fail(f"{SKIP_PREFIX} but {REQUIRE_VARIABLE} is set: {problem}", pytrace=False)
    pytest.skip(f"{SKIP_PREFIX}: {problem}")


def uri_for_schema(uri: str, schema: str, synchronous_commit: bool = True) -> str:
    """``uri`` with every connection's search_path set to ``schema`` (libpq ``options``);
    ``synchronous_commit=False`` lets commits return before the disk has them."""
    options = f"-csearch_path={schema}"
    if not synchronous_commit:
        options += " -csynchronous_commit=off"
    url = make_url(uri).update_query_dict({"options": options})
    return url.render_as_string(hide_password=False)


@contextmanager
def fresh_schema(uri: str) -> Iterator[str]:
    """A new empty schema for the duration of the block; yields a URI whose tables live there."""
    schema = f"test_{uuid.uuid4().hex[:16]}"
    admin = create_engine(uri, poolclass=NullPool)
    with admin.begin() as connection:
        connection.execute(text(f'CREATE SCHEMA "{schema}"'))
    try:
        yield uri_for_schema(uri, schema)
    finally:
        with admin.begin() as connection:
            connection.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
        admin.dispose()
