"""Reading pages for their wording: the text as shown, non-breaking spaces kept."""

from bs4 import BeautifulSoup

NBSP = "\u00a0"


def parse(response) -> BeautifulSoup:
    assert response.status_code == 200
    return BeautifulSoup(response.get_data(as_text=True), "html.parser")


def cell_texts(elements) -> list[str]:
    """Each element's text as shown, keeping non-breaking spaces (they are the point here)."""
    return [element.get_text().strip() for element in elements]
