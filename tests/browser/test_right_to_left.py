"""A right-to-left locale added by configuration lays out right to left, unbroken (issue 17).

Arabic is configured with no catalogue (the words stay English, the layout is what is tested):
the page is mirrored (the brand at the right, the language switch at the left), nothing spills
sideways on a phone or a desktop, and the form's labels and fields start at the right edge.
"""

import pytest

from tests.browser.pages import DESKTOP, PHONE

pytestmark = pytest.mark.browser


@pytest.fixture
def app_config(app_config):
    return {**app_config, "SUPPORTED_LOCALES": ["en", "fr", "es", "ar"]}


LAYOUT = """() => {
  const box = (selector) => {
    const element = document.querySelector(selector);
    if (!element) return null;
    const r = element.getBoundingClientRect();
    return {left: r.left, right: r.right, width: r.width};
  };
  const label = document.querySelector('form.registration-form label');
  return {
    dir: document.documentElement.dir,
    direction: getComputedStyle(document.body).direction,
    overflow: document.documentElement.scrollWidth - document.documentElement.clientWidth,
    viewport: document.documentElement.clientWidth,
    brand: box('.brand'),
    switcher: box('nav.lang-switch'),
    heading: box('h1'),
    input: box('form.registration-form input[name=full_name]'),
    labelAlign: label && getComputedStyle(label).textAlign,
  };
}"""


@pytest.mark.parametrize("viewport", [PHONE, DESKTOP], ids=["phone", "desktop"])
def test_an_arabic_page_is_mirrored_and_fits(new_page, live_server, gps_launch, viewport):
    page = new_page(viewport=viewport, locale="ar")
    page.goto(f"{live_server.url}/ar/events/{gps_launch.slug}")

    layout = page.evaluate(LAYOUT)

    assert (layout["dir"], layout["direction"]) == ("rtl", "rtl")
    assert layout["overflow"] <= 0, f"the page scrolls sideways by {layout['overflow']}px"
    for name in ("brand", "switcher", "heading", "input"):
        box = layout[name]
        assert box is not None, name
        assert box["left"] >= -1 and box["right"] <= layout["viewport"] + 1, (name, box)
    # Mirrored: the brand starts at the right edge and the language switch sits left of it.
    assert layout["brand"]["right"] > layout["viewport"] / 2
    assert layout["switcher"]["left"] < layout["brand"]["left"]
    assert layout["labelAlign"] in ("start", "right")


def test_the_same_page_in_english_is_left_to_right(new_page, live_server, gps_launch):
    page = new_page(viewport=DESKTOP)
    page.goto(f"{live_server.url}/en/events/{gps_launch.slug}")

    layout = page.evaluate(LAYOUT)

    assert (layout["dir"], layout["direction"]) == ("ltr", "ltr")
    assert layout["brand"]["left"] < layout["viewport"] / 2
    assert layout["switcher"]["left"] > layout["brand"]["right"]
