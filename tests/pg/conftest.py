"""Every test in this folder runs on PostgreSQL, in the session's test schema."""

import pytest

from tests.pg import support


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


def pytest_terminal_summary(terminalreporter, exitstatus, config):
    """Say plainly whether the PostgreSQL part ran, so a green SQLite-only run is not mistaken."""
    reports = [
        report
        for outcome in ("passed", "failed", "error", "skipped")
        for report in terminalreporter.stats.get(outcome, [])
        if getattr(report, "when", "") in ("setup", "call") and "postgres" in report.keywords
    ]
    if not reports:
        return
    skipped = {r.nodeid for r in reports if r.outcome == "skipped"}
    ran = {r.nodeid for r in reports} - skipped
    uri = support.configured_uri()
    if ran and uri:
        terminalreporter.write_line(
            f"PostgreSQL: {len(ran)} tests ran against {support.display_uri(uri)}.",
            green=exitstatus == 0,
        )
    elif ran:
        terminalreporter.write_line(
            f"PostgreSQL: {len(ran)} tests FAILED: {support.REQUIRE_VARIABLE} is set "
            f"but {support.URI_VARIABLE} is not.",
            red=True,
        )
    if skipped:
        terminalreporter.write_line(
            f"PostgreSQL: SKIPPED {len(skipped)} tests. Set {support.URI_VARIABLE}="
            "postgresql+psycopg://user:password@host/database to run them "
            f"(.ci/run does, with {support.REQUIRE_VARIABLE}=1).",
            yellow=True,
        )
