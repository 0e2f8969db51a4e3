"""Which language a visitor gets at ``/`` (issue 17): Babel's negotiation among the configured
locales, and the language of the last page they read remembered in a cookie."""

import pytest

from eventsvc.i18n import LANG_COOKIE


def landing(client, accept_language: str | None = None) -> str:
    headers = {"Accept-Language": accept_language} if accept_language else {}
    response = client.get("/", headers=headers)
    assert response.status_code == 302
    return response.headers["Location"]


@pytest.mark.parametrize(
    ("accept_language", "expected"),
    [
        ("es-419,es;q=0.9", "/es/"),
        ("es-AR", "/es/"),
        ("es-MX,en;q=0.5", "/es/"),
        ("fr-CA", "/fr/"),
        ("fr-BE,fr;q=0.8,en;q=0.5", "/fr/"),
        ("en-GB", "/en/"),
        ("de-DE,es;q=0.7,fr;q=0.3", "/es/"),  # German is not configured: the next preference
        ("de-DE", "/en/"),  # nothing configured: the default locale
        ("*", "/en/"),
        ("", "/en/"),
    ],
)
def test_root_negotiates_the_browser_language_among_the_configured_ones(
    client, accept_language, expected
):
    assert landing(client, accept_language) == expected


def test_the_language_last_read_in_is_remembered_for_the_next_visit(client, make_event):
    make_event(slug="gps")

    page = client.get("/fr/events/gps", headers={"Accept-Language": "es-419"})

    assert page.status_code == 200
    cookie = client.get_cookie(LANG_COOKIE)
    assert cookie is not None and cookie.value == "fr"
    assert cookie.expires is not None  # kept across browser restarts, not a session cookie
    # The next visit to / goes to French although the browser asks for Spanish.
    assert landing(client, "es-419") == "/fr/"
    # Reading a page in another language changes what is remembered.
    client.get("/es/")
    assert client.get_cookie(LANG_COOKIE).value == "es"
    assert landing(client, "fr-CA") == "/es/"


def test_a_page_in_the_remembered_language_sets_no_cookie_again(client):
    client.get("/es/")
    again = client.get("/es/")
    assert "Set-Cookie" not in again.headers or LANG_COOKIE + "=" not in str(
        again.headers.getlist("Set-Cookie")
    )


def test_shared_calendar_feeds_carry_no_language_cookie(client):
    feed = client.get("/es/events.ics")
    assert feed.status_code == 200
    assert not any(
        header.startswith(f"{LANG_COOKIE}=") for header in feed.headers.getlist("Set-Cookie")
    )


def test_a_cookie_for_a_locale_no_longer_configured_is_ignored(client):
    client.set_cookie(LANG_COOKIE, "de")
    assert landing(client, "fr-CA") == "/fr/"


def test_the_workspace_outside_the_prefix_follows_the_remembered_language(client):
    client.set_cookie(LANG_COOKIE, "es")
    page = client.get("/organiser/login")
    assert page.status_code == 200
    assert '<html lang="es" dir="ltr">' in page.get_data(as_text=True)
