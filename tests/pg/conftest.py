"""Every test in this folder runs on PostgreSQL, in the session's test schema."""

import pytest


@pytest.fixture
def database_uri(postgres_database):
    """PostgreSQL whatever the backend of the run."""
    return postgres_database


@pytest.fixture
def pg_uri(database_uri):
    """A URI on the test server whose connections see only the test schema."""
    return database_uri


def pytest_collection_modifyitems(config, items):
    for item in items:
        if "tests/pg/" in item.nodeid:
            item.add_marker(pytest.mark.postgres)
