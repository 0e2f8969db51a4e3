"""A calendar parser that is not installed: skipped, or failed when the run requires it (CI)."""

import os

import pytest


def unavailable(reason: str):
    if os.environ.get("EVENTSVC_REQUIRE_BROWSER") == "1":
        pytest.fail(f"{reason} (EVENTSVC_REQUIRE_BROWSER=1)", pytrace=False)
    pytest.skip(reason)
