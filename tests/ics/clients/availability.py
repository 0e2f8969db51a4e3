"""A calendar parser that is not installed: skipped, or failed when the run requires it (CI)."""

import os

import pytest

INSTALL_HINT = (
    "apt-get install -y python3-gi gir1.2-ical-3.0 nodejs npm && npm ci && "
    "pip install -e '.[test]' (see .ci/run)"
)

skipped_for: set[str] = set()


def unavailable(reason: str):
    if os.environ.get("EVENTSVC_REQUIRE_BROWSER") == "1":
        pytest.fail(f"{reason} (EVENTSVC_REQUIRE_BROWSER=1)", pytrace=False)
    skipped_for.add(reason)
    pytest.skip(reason)
