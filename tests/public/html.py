"""Reading pages the way a browser would: parse the HTML, then look at elements."""

from bs4 import BeautifulSoup


def page(response) -> BeautifulSoup:
    return BeautifulSoup(response.get_data(as_text=True), "html.parser")


def text(element) -> str:
    """The visible text of ``element`` with runs of white space folded."""
    return " ".join(element.get_text(" ").split())


def language_switch(soup: BeautifulSoup) -> dict[str, str]:
    """hreflang → href of the language switch's links."""
    nav = soup.select_one("nav.lang-switch")
    return {link["hreflang"]: link["href"] for link in nav.select("a[hreflang]")}
