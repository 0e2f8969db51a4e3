"""Fixtures of the French wording tests: pages read as a French-speaking organiser reads them."""

import pytest


@pytest.fixture
def french_organiser(organiser):
    """The signed-in organiser's client, with a browser that asks for French."""
    organiser.environ_base["HTTP_ACCEPT_LANGUAGE"] = "fr"
    return organiser
