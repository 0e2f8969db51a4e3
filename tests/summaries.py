"""What the end of a run says about the parts that did not run: PostgreSQL, the browser and the
real calendar parsers. Read from the test reports, so that it holds with pytest-xdist too (the
reports reach the controlling process; the workers' module state does not)."""

from collections import Counter

from tests.pg import support

BROWSER_HINT = (
    "Install Chromium (`apt-get install -y chromium`) and axe-core (`npm ci`) to run them; "
    "see docs/browser-tests.md."
)
CALENDAR_HINT = (
    "To run them: apt-get install -y python3-gi gir1.2-ical-3.0 nodejs npm && npm ci && "
    "pip install -e '.[test]' (see .ci/run)"
)


def _skip_reason(report) -> str:
    longrepr = report.longrepr
    message = longrepr[2] if isinstance(longrepr, tuple) else str(longrepr)
    return message.removeprefix("Skipped: ")


def _reports(terminalreporter, outcomes=("passed", "failed", "error", "skipped")):
    for outcome in outcomes:
        for report in terminalreporter.stats.get(outcome, []):
            if getattr(report, "when", "") in ("setup", "call"):
                yield report


def postgres(terminalreporter, exitstatus) -> None:
    """Say plainly whether the PostgreSQL part ran, so a green SQLite-only run is not mistaken."""
    reports = [r for r in _reports(terminalreporter) if "postgres" in r.keywords]
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


def skipped_part(terminalreporter, title: str, belongs, hint: str) -> None:
    """``title`` skipped: how many tests, for which reason, and how to run them."""
    counts = Counter(
        _skip_reason(report)
        for report in _reports(terminalreporter, ("skipped",))
        if belongs(report) and "postgres" not in report.keywords
    )
    if not counts:
        return
    terminalreporter.write_sep("=", f"{title} skipped", yellow=True, bold=True)
    for reason, count in sorted(counts.items()):
        terminalreporter.write_line(f"{count} {title[:-1]}(s) skipped: {reason}")
    terminalreporter.write_line(hint)


def write(terminalreporter, exitstatus) -> None:
    postgres(terminalreporter, exitstatus)
    skipped_part(terminalreporter, "browser tests", lambda r: "browser" in r.keywords, BROWSER_HINT)
    skipped_part(
        terminalreporter,
        "calendar parser tests",
        lambda r: r.nodeid.startswith("tests/ics/clients/"),
        CALENDAR_HINT,
    )
