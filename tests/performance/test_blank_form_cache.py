"""The blank registration form is rendered once per locale and event shape: each visitor still
gets their own CSRF token, and the form follows every change of the event it shows."""

import pytest

from eventsvc.services.events import EventData, update_event
from tests.public.html import page, text


@pytest.fixture
def app_config():
    return {"WTF_CSRF_ENABLED": True}


def token_of(response) -> str:
    return page(response).find("input", attrs={"name": "csrf_token"})["value"]


def valid_form(**overrides):
    data = {
        "full_name": "Amina Diallo",
        "email": "amina@example.org",
        "country": "SN",
        "language": "fr",
        "consent": "y",
        "website": "",
    }
    data.update(overrides)
    return data


def test_each_visitor_gets_their_own_token_and_registers_with_it(app, make_event):
    make_event(slug="gps")
    first, second = app.test_client(), app.test_client()

    first_page, second_page = first.get("/fr/events/gps"), second.get("/fr/events/gps")
    first_token, second_token = token_of(first_page), token_of(second_page)

    assert first_token != second_token
    assert second_token not in first_page.get_data(as_text=True)
    stolen = second.post("/fr/events/gps/register", data=valid_form(csrf_token=first_token))
    assert stolen.status_code == 400
    mine = second.post("/fr/events/gps/register", data=valid_form(csrf_token=second_token))
    assert mine.status_code == 303
    theirs = first.post(
        "/fr/events/gps/register",
        data=valid_form(csrf_token=first_token, email="fatou@example.org"),
    )
    assert theirs.status_code == 303


def test_a_refused_form_stays_with_its_visitor(app, make_event):
    make_event(slug="gps")
    first, second = app.test_client(), app.test_client()
    token = token_of(first.get("/fr/events/gps"))

    refused = first.post(
        "/fr/events/gps/register",
        data=valid_form(csrf_token=token, full_name="Amina Secret", email="wrong"),
    )
    assert refused.status_code == 400
    assert page(refused).select_one("#full_name")["value"] == "Amina Secret"

    fresh = second.get("/fr/events/gps")
    assert "Amina Secret" not in fresh.get_data(as_text=True)
    assert page(fresh).select_one(".error-summary") is None
    assert page(fresh).select(".field-invalid") == []


def test_the_form_offers_the_waitlist_once_the_event_is_full(app, client, make_event):
    make_event(slug="gps", capacity=1)
    assert text(page(client.get("/en/events/gps")).select_one("form button")) == "Register"
    token = token_of(client.get("/en/events/gps"))
    assert (
        client.post("/en/events/gps/register", data=valid_form(csrf_token=token)).status_code == 303
    )

    full = page(app.test_client().get("/en/events/gps"))

    assert text(full.select_one("form button")) == "Join the waitlist"


def test_the_form_follows_the_event_s_interpretation_languages(client, make_event):
    event = make_event(slug="gps", interpretation_languages=("en", "fr"))
    assert page(client.get("/en/events/gps")).select_one("#interpretation_language") is not None

    data = EventData.from_event(event)
    data.interpretation_languages = []
    update_event(event, data)

    assert page(client.get("/en/events/gps")).select_one("#interpretation_language") is None


def test_the_form_posts_to_the_event_s_new_address(client, make_event):
    event = make_event(slug="gps")
    client.get("/en/events/gps")

    data = EventData.from_event(event)
    data.slug = "gps-2027"
    update_event(event, data)

    form = page(client.get("/en/events/gps-2027")).select_one("form.registration-form")
    assert form["action"].startswith("/en/events/gps-2027/register")


def test_each_language_gets_the_form_in_that_language(client, make_event):
    make_event(slug="gps")

    english = page(client.get("/en/events/gps"))
    french = page(client.get("/fr/events/gps"))

    assert english.select_one("#country option").get_text() == "Choose a country"
    assert french.select_one("#country option").get_text() == "Choisissez un pays"
    assert english.select_one("input[name=language][checked]")["value"] == "en"
    assert french.select_one("input[name=language][checked]")["value"] == "fr"
