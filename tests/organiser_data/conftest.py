"""Fixtures of the attendee list, export, statistics and announcement tests.

The signed-in client and its account come from the organiser workspace's fixtures.
"""

import pytest

from tests.organiser.conftest import (  # noqa: F401  (fixtures used by name)
    make_event,
    organiser,
    organiser_account,
)


@pytest.fixture
def signed_in(organiser):  # noqa: F811
    """A test client signed in as a plain organiser, through the sign-in form."""
    return organiser
