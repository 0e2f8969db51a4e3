"""Fixtures of the French wording tests: pages read as a French-speaking organiser reads them."""

import pytest
from bs4 import BeautifulSoup

NBSP = "\u00a0"


@pytest.fixture
def french_organiser(organiser):
    """The signed-in organiser's client, with a browser that asks for French."""
    organiser.environ_base["HTTP_ACCEPT_LANGUAGE"] = "fr"
    return organiser


def parse(response) -> BeautifulSoup:
    assert response.status_code == 200
    return BeautifulSoup(response.get_data(as_text=True), "html.parser")


def cell_texts(elements) -> list[str]:
    """Each element's text as shown, keeping non-breaking spaces (they are the point here)."""
    return [element.get_text().strip() for element in elements]
