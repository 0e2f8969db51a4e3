"""Spanish ships as an interface language by default (issue 17): the public pages, the
language switch and a registration's mail in Spanish, with the default settings."""

from datetime import UTC, datetime

from bs4 import BeautifulSoup

from eventsvc.mail.dispatcher import dispatch_due
from tests.mail.reading import calendar_part, html_of, text_of, vevent_of


def soup_of(response) -> BeautifulSoup:
    assert response.status_code == 200
    return BeautifulSoup(response.get_data(as_text=True), "html.parser")


def test_spanish_is_an_interface_language_by_default(app):
    assert app.config["SUPPORTED_LOCALES"] == ["en", "fr", "es"]
    # events keep needing English and French only, unless they choose otherwise
    assert app.config["REQUIRED_CONTENT_LOCALES"] == ["en", "fr"]


def test_the_home_page_names_the_three_languages_in_each(client):
    descriptions = {}
    for lang in ("en", "fr", "es"):
        soup = soup_of(client.get(f"/{lang}/"))
        assert soup.html["lang"] == lang
        descriptions[lang] = soup.select_one('meta[name="description"]')["content"]
        hreflangs = {link["hreflang"] for link in soup.select("link[rel=alternate][hreflang]")}
        assert hreflangs == {"en", "fr", "es"}

    assert descriptions["en"].endswith("in English, French, and Spanish.")
    assert descriptions["fr"].endswith("en anglais, français et espagnol.")
    assert descriptions["es"].endswith("en inglés, francés y español.")


def test_the_spanish_event_page_speaks_spanish(client, make_event):
    titles = {"en": "GPS launch", "fr": "Lancement de la GPS", "es": "Lanzamiento de la GPS"}
    make_event(slug="gps", title=titles)

    soup = soup_of(client.get("/es/events/gps"))

    assert soup.html["lang"] == "es"
    assert soup.h1.get_text(strip=True) == "Lanzamiento de la GPS"
    assert "6 de diciembre de 2026" in soup.get_text()
    switch = {a["hreflang"]: a.get_text(strip=True) for a in soup.select("nav.lang-switch a")}
    assert switch == {"en": "English", "fr": "Français"}
    current = soup.select_one("nav.lang-switch [aria-current]")
    assert current.get_text(strip=True) == "Español" and current["lang"] == "es"


def test_a_registration_in_spanish_gets_its_mail_and_invite_in_spanish(
    smtp_app, client, make_event, form_data, smtp
):
    titles = {"en": "GPS launch", "fr": "Lancement de la GPS", "es": "Lanzamiento de la GPS"}
    make_event(slug="gps", title=titles)

    response = client.post(
        "/es/events/gps/register", data=form_data(language="es", email="lucia@example.org")
    )
    assert response.status_code == 303
    dispatch_due()

    (message,) = smtp.to("lucia@example.org")
    assert message["Content-Language"] == "es"
    assert str(message["Subject"]) == "Inscripción confirmada: Lanzamiento de la GPS"
    assert "6 de diciembre de 2026" in text_of(message)
    assert 'lang="es"' in html_of(message)
    assert calendar_part(message).get_param("method") == "REQUEST"
    vevent = vevent_of(message)
    assert str(vevent["SUMMARY"]) == "Lanzamiento de la GPS"
    assert vevent.start.astimezone(UTC) == datetime(2026, 12, 6, 12, 30, tzinfo=UTC)


def test_mail_frames_the_fallback_text_in_the_registrants_language(
    smtp_app, client, make_event, form_data, smtp
):
    """An event with no Spanish text: the Spanish mail gives the text of its floor language
    (French), marked as French, and says so in Spanish; a French reader gets no such line."""
    make_event(slug="gps", title={"en": "GPS launch", "fr": "Lancement de la GPS"})

    for lang, address in (("es", "lucia@example.org"), ("fr", "amina@example.org")):
        response = client.post(
            f"/{lang}/events/gps/register", data=form_data(language=lang, email=address)
        )
        assert response.status_code == 303
    dispatch_due()

    (spanish,) = smtp.to("lucia@example.org")
    notice = "Este evento todavía no tiene texto en español: se muestra en francés."
    assert str(spanish["Subject"]) == "Inscripción confirmada: Lancement de la GPS"
    assert notice in " ".join(text_of(spanish).split())
    html = BeautifulSoup(html_of(spanish), "html.parser")
    title = html.find("td", string="Lancement de la GPS")
    assert title is not None and title["lang"] == "fr"
    assert " ".join(html.select_one(".text-fallback").get_text().split()) == notice
    (french,) = smtp.to("amina@example.org")
    assert "Lancement de la GPS" in text_of(french)
    assert "pas encore de texte" not in text_of(french)
    assert BeautifulSoup(html_of(french), "html.parser").select_one(".text-fallback") is None
