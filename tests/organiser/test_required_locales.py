"""The editor lets the organiser choose the languages an event needs its texts in (issue 17):
one checkbox per interface language, at least one, the floor language always among them; one
text column per language, marked required or optional."""

from bs4 import BeautifulSoup
from sqlalchemy import select

from eventsvc.extensions import db
from eventsvc.models import Event, EventStatus
from tests.organiser.test_events import event_form

NEW = "/organiser/events/new"


def stored(slug: str) -> Event | None:
    db.session.expire_all()
    return db.session.scalar(select(Event).where(Event.slug == slug))


def ticked(html: str) -> dict[str, bool]:
    """Each required-language checkbox's value → whether it is checked."""
    soup = BeautifulSoup(html, "html.parser")
    boxes = soup.select('input[type=checkbox][name="required_locales"]')
    return {box["value"]: box.has_attr("checked") for box in boxes}


def column_marks(html: str) -> dict[str, str]:
    """Each text column's language → its mark ("required-locale" or "optional-locale")."""
    soup = BeautifulSoup(html, "html.parser")
    marks = {}
    for column in soup.select(".locale-column"):
        tag = column.select_one(".locale-heading .tag")
        marks[column["lang"]] = next(c for c in tag["class"] if c.endswith("-locale"))
    return marks


def field_errors(html: str) -> list[str]:
    soup = BeautifulSoup(html, "html.parser")
    errors = soup.select_one("#required_locales-error")
    return [" ".join(li.get_text().split()) for li in errors.select("li")] if errors else []


def with_spanish(**changes) -> dict:
    return event_form(
        **{
            "es-title": "Lanzamiento de la Estrategia de Alianzas Mundial",
            "es-summary": "Un lanzamiento en línea con la UNESCO y ECDAN.",
        },
        **changes,
    )


def test_a_new_event_offers_every_interface_language_with_the_default_ticked(organiser):
    html = organiser.get(NEW).text

    assert ticked(html) == {"en": True, "fr": True, "es": False}
    assert column_marks(html) == {
        "en": "required-locale",
        "fr": "required-locale",
        "es": "optional-locale",
    }
    # an empty value rides before the boxes, so that "none ticked" is sent and refused
    assert '<input type="hidden" name="required_locales" value="">' in html


def test_the_chosen_languages_are_stored_and_decide_publishing(organiser):
    response = organiser.post(NEW, data=with_spanish(required_locales=["", "fr", "es"]))
    assert response.status_code == 302
    assert stored("gps-launch").required_locales == ["fr", "es"]

    assert organiser.post("/organiser/events/gps-launch/publish").status_code == 302
    assert stored("gps-launch").status == EventStatus.PUBLISHED


def test_a_required_language_without_texts_holds_publishing_back(organiser):
    organiser.post(NEW, data=event_form(required_locales=["", "en", "fr", "es"]))

    response = organiser.post("/organiser/events/gps-launch/publish")

    assert response.status_code == 422
    assert "A title in Spanish is needed to publish." in response.text
    assert column_marks(response.text)["es"] == "required-locale"
    assert stored("gps-launch").status == EventStatus.DRAFT


def test_no_language_ticked_is_refused_on_the_field_in_french(organiser):
    organiser.get("/locale/fr", query_string={"next": "/organiser/"})

    response = organiser.post(NEW, data=event_form(required_locales=[""]))

    assert response.status_code == 422
    assert field_errors(response.text) == [
        "Choisissez au moins une langue dans laquelle les textes sont requis."
    ]
    assert 'href="#required_locales"' in response.text  # the summary leads to the field
    assert stored("gps-launch") is None


def test_the_floor_language_is_always_required_said_in_spanish(organiser):
    organiser.get("/locale/es", query_string={"next": "/organiser/"})

    response = organiser.post(
        NEW, data=event_form(floor_language="fr", required_locales=["", "en"])
    )

    assert response.status_code == 422
    assert field_errors(response.text) == [
        "El idioma original, el francés, siempre es obligatorio."
    ]
    # what was ticked is kept, and the columns follow it
    assert ticked(response.text) == {"en": True, "fr": False, "es": False}
    assert stored("gps-launch") is None


def test_the_edit_form_shows_the_events_choice_and_saves_a_change(organiser, make_event):
    event = make_event(slug="gps-launch", status=EventStatus.DRAFT)
    event.required_locales = ["fr"]
    db.session.commit()

    html = organiser.get("/organiser/events/gps-launch/edit").text
    assert ticked(html) == {"en": False, "fr": True, "es": False}
    assert column_marks(html)["en"] == "optional-locale"

    form = with_spanish(required_locales=["", "fr", "es"])
    response = organiser.post("/organiser/events/gps-launch/edit", data=form)
    assert response.status_code == 302, response.text
    assert stored("gps-launch").required_locales == ["fr", "es"]


def test_an_event_stored_before_its_floor_language_was_offered_stays_editable(
    organiser, make_event
):
    """Spanish floor, required English and French (saved when Spanish was no interface
    language): saving it unchanged must not demand Spanish texts."""
    event = make_event(slug="clade", floor_language="es", status=EventStatus.DRAFT)
    event.required_locales = ["en", "fr"]
    db.session.commit()

    html = organiser.get("/organiser/events/clade/edit").text
    assert ticked(html) == {"en": True, "fr": True, "es": False}

    form = event_form(slug="clade", floor_language="es", required_locales=["", "en", "fr"])
    response = organiser.post("/organiser/events/clade/edit", data=form)
    assert response.status_code == 302, response.text
    assert stored("clade").required_locales == ["en", "fr"]
