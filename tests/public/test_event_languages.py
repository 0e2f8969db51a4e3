"""The public event page's language switch says which languages the event is written in
(issue 17): a language it has no text in is marked, in the page's language."""

from tests.public.html import language_switch, page, text


def switch_items(soup) -> dict[str, str]:
    """Each language of the switch (its ``lang``) → its visible text."""
    items = soup.select("nav.lang-switch li")
    return {item.select_one("a, span[aria-current]")["lang"]: text(item) for item in items}


def untranslated(soup) -> set[str]:
    items = soup.select("nav.lang-switch li.lang-untranslated")
    return {item.select_one("a, span[aria-current]")["lang"] for item in items}


def test_the_switch_marks_the_languages_the_event_has_no_text_in(client, make_event):
    make_event(slug="gps", title={"en": "GPS launch", "fr": "Lancement de la GPS"})

    soup = page(client.get("/en/events/gps"))

    assert untranslated(soup) == {"es"}
    assert switch_items(soup) == {
        "en": "English",
        "fr": "Français",
        "es": "Español (event not translated)",
    }
    assert soup.select_one("nav.lang-switch li.lang-untranslated .lang-note")["lang"] == "en"
    # the links still lead to the same page in each language
    assert language_switch(soup) == {"fr": "/fr/events/gps", "es": "/es/events/gps"}


def test_the_mark_is_in_the_pages_language_and_on_the_current_language_too(client, make_event):
    make_event(slug="gps", title={"en": "GPS launch", "fr": "Lancement de la GPS"})

    spanish = page(client.get("/es/events/gps"))
    french = page(client.get("/fr/events/gps"))

    assert switch_items(spanish)["es"] == "Español (evento sin traducir)"
    assert spanish.select_one(".text-fallback") is not None  # the page says it falls back
    assert switch_items(french)["es"] == "Español (événement non traduit)"
    assert untranslated(french) == {"es"}


def test_an_event_in_every_language_has_no_mark(client, make_event):
    titles = {"en": "GPS launch", "fr": "Lancement de la GPS", "es": "Lanzamiento de la GPS"}
    make_event(slug="gps", title=titles)

    soup = page(client.get("/fr/events/gps"))

    assert untranslated(soup) == set()
    assert not soup.select(".lang-note")


def test_pages_other_than_an_events_carry_no_mark(client, make_event):
    make_event(slug="gps", title={"en": "GPS launch"})

    for path in ("/en/", "/en/privacy", "/en/events/gps/thanks?status=waitlisted"):
        assert not page(client.get(path)).select(".lang-note"), path
