"""The caches behind the public pages: never stale, never one visitor's data in another's page."""

from eventsvc.i18n import country_choices
from eventsvc.public.forms import country_select_choices
from eventsvc.services.events import EventData, update_event
from eventsvc.unit_of_work import unit_of_work
from tests.factories import registration_form
from tests.public.html import page, text


def test_country_choices_are_sorted_once_and_callers_cannot_change_the_cached_list(app):
    with app.test_request_context("/fr/"):
        choices = country_choices("fr")
        choices.clear()

        assert ("SN", "Sénégal") in country_choices("fr")
        assert country_select_choices("fr")[0] == ("", "Choisissez un pays")
        assert country_select_choices("en")[0] == ("", "Choose a country")


def test_event_page_shows_the_new_description_once_it_is_changed(client, make_event):
    event = make_event(slug="gps")
    assert "Description" in text(page(client.get("/en/events/gps")).select_one(".prose"))

    data = EventData.from_event(event)
    data.texts["en"]["description"] = "The agenda has *moved*."
    with unit_of_work():
        update_event(event, data)

    prose = page(client.get("/en/events/gps")).select_one(".prose")
    assert prose.p.get_text() == "The agenda has moved."
    assert prose.em.get_text() == "moved"


def test_a_visitor_never_sees_the_previous_visitors_form_values_or_errors(app, make_event):
    make_event(slug="gps")
    first, second = app.test_client(), app.test_client()

    refused = first.post(
        "/fr/events/gps/register", data=registration_form(country="SN", email="not an address")
    )
    assert refused.status_code == 400
    assert page(refused).select_one("#country option[selected]")["value"] == "SN"
    assert page(refused).select_one(".error-summary") is not None

    fresh = page(second.get("/fr/events/gps"))
    assert fresh.select("#country option[selected]") == []
    assert fresh.select_one(".error-summary") is None
    assert fresh.select_one("#email").get("value") in (None, "")
    assert fresh.select_one("#full_name").get("value") in (None, "")


def test_a_country_outside_the_list_is_refused_and_nothing_is_selected(client, make_event):
    make_event(slug="gps")

    refused = client.post("/en/events/gps/register", data=registration_form(country="XX"))

    assert refused.status_code == 400
    assert page(refused).select("#country option[selected]") == []
    assert page(refused).select_one("#country-error") is not None
