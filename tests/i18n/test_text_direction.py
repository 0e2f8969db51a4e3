"""Pages and mail say which way their language is written (issue 17): ``dir`` from Babel's
character order, so that a right-to-left locale added by configuration reads right to left."""

import pytest
from bs4 import BeautifulSoup

from eventsvc.i18n import text_direction
from eventsvc.mail.dispatcher import dispatch_due
from tests.mail.reading import html_of


@pytest.mark.parametrize(
    ("locale", "direction"),
    [
        ("en", "ltr"),
        ("fr", "ltr"),
        ("es", "ltr"),
        ("ar", "rtl"),
        ("he", "rtl"),
        ("fa", "rtl"),
        ("es-419", "ltr"),
        ("ar-EG", "rtl"),
        ("xx", "ltr"),
    ],
)
def test_direction_comes_from_the_locale(locale, direction):
    assert text_direction(locale) == direction


@pytest.fixture
def app_config(app_config):
    return {**app_config, "SUPPORTED_LOCALES": ["en", "fr", "es", "ar"]}


def test_a_right_to_left_locale_gets_rtl_pages_and_mail(
    smtp_app, client, make_event, form_data, smtp
):
    make_event(slug="gps")

    for path in ("/ar/", "/ar/events/gps", "/ar/privacy"):
        soup = BeautifulSoup(client.get(path).get_data(as_text=True), "html.parser")
        assert (soup.html["lang"], soup.html["dir"]) == ("ar", "rtl"), path
    english = BeautifulSoup(client.get("/en/events/gps").get_data(as_text=True), "html.parser")
    assert english.html["dir"] == "ltr"

    registered = client.post(
        "/ar/events/gps/register", data=form_data(language="ar", email="salma@example.org")
    )
    assert registered.status_code == 303
    dispatch_due()
    (message,) = smtp.to("salma@example.org")
    mail = BeautifulSoup(html_of(message), "html.parser")
    assert (mail.html["lang"], mail.html["dir"]) == ("ar", "rtl")
