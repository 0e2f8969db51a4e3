"""An event's page is rendered once per URL and event state and kept (``public.page_cache``):
each visitor still gets their own CSRF token, the places left are counted on every view, and the
page follows every change of the event, its texts and its partners, whichever process made it."""

import pytest

from eventsvc import clock, create_app
from eventsvc.extensions import db
from eventsvc.models import Event
from eventsvc.services.events import EventData, cancel_event, update_event
from eventsvc.services.partners import PartnerData, save_partner
from eventsvc.services.registrations import cancel
from eventsvc.unit_of_work import unit_of_work
from tests.factories import registration_form
from tests.public.html import page, text


@pytest.fixture
def app_config():
    return {"WTF_CSRF_ENABLED": True}


def token_of(response) -> str:
    return page(response).find("input", attrs={"name": "csrf_token"})["value"]


def test_each_visitor_gets_their_own_token_and_registers_with_it(app, make_event):
    make_event(slug="gps")
    first, second = app.test_client(), app.test_client()

    first_page, second_page = first.get("/fr/events/gps"), second.get("/fr/events/gps")
    first_token, second_token = token_of(first_page), token_of(second_page)

    assert first_token != second_token
    assert second_token not in first_page.get_data(as_text=True)
    stolen = second.post("/fr/events/gps/register", data=registration_form(csrf_token=first_token))
    assert stolen.status_code == 400
    mine = second.post("/fr/events/gps/register", data=registration_form(csrf_token=second_token))
    assert mine.status_code == 303
    theirs = first.post(
        "/fr/events/gps/register",
        data=registration_form(csrf_token=first_token, email="fatou@example.org"),
    )
    assert theirs.status_code == 303


def test_a_refused_form_stays_with_its_visitor(app, make_event):
    make_event(slug="gps")
    first, second = app.test_client(), app.test_client()
    token = token_of(first.get("/fr/events/gps"))

    refused = first.post(
        "/fr/events/gps/register",
        data=registration_form(csrf_token=token, full_name="Amina Secret", email="wrong"),
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
    answer = client.post("/en/events/gps/register", data=registration_form(csrf_token=token))
    assert answer.status_code == 303

    full = page(app.test_client().get("/en/events/gps"))

    assert text(full.select_one("form button")) == "Join the waitlist"


def test_the_form_follows_the_event_s_interpretation_languages(client, make_event):
    event = make_event(slug="gps", interpretation_languages=("en", "fr"))
    assert page(client.get("/en/events/gps")).select_one("#interpretation_language") is not None

    data = EventData.from_event(event)
    data.interpretation_languages = []
    with unit_of_work():
        update_event(event, data)

    assert page(client.get("/en/events/gps")).select_one("#interpretation_language") is None


def test_the_form_posts_to_the_event_s_new_address(client, make_event):
    event = make_event(slug="gps")
    client.get("/en/events/gps")

    data = EventData.from_event(event)
    data.slug = "gps-2027"
    with unit_of_work():
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


def places(client, url="/en/events/gps") -> str:
    return text(page(client.get(url)).select_one(".facts .fact:last-child dd"))


def test_places_left_are_counted_on_every_view(client, make_event, make_registration):
    event = make_event(slug="gps", capacity=3)
    assert places(client) == "3 places left."

    first = make_registration(event)
    assert places(client) == "2 places left."
    make_registration(event)
    assert places(client) == "1 place left."
    assert places(client, "/fr/events/gps") == "Il reste 1 place."

    with unit_of_work():
        cancel(first)
    assert places(client) == "2 places left."


def test_a_partner_renamed_shows_on_the_pages_of_its_events(client, make_event, make_partner):
    partner = make_partner("ECDAN", name="Early Childhood Development Action Network")
    make_event(slug="gps", partners=[partner])
    assert "Early Childhood Development Action Network" in text(page(client.get("/en/events/gps")))

    with unit_of_work():
        save_partner(
            PartnerData(
                acronym="ECDAN",
                website=partner.website,
                names={"en": "ECD Action Network", "fr": partner.text("fr").name},
            ),
            partner,
        )

    shown = text(page(client.get("/en/events/gps")).select_one(".partners"))
    assert "ECD Action Network" in shown
    assert "Early Childhood Development Action Network" not in shown


def test_a_partner_removed_from_the_event_leaves_its_page(client, make_event, make_partner):
    unesco, ecdan = make_partner("UNESCO"), make_partner("ECDAN")
    event = make_event(slug="gps", partners=[unesco, ecdan])
    assert "ECDAN" in text(page(client.get("/en/events/gps")).select_one(".partners"))

    data = EventData.from_event(event)
    data.partners = ["UNESCO"]
    with unit_of_work():
        update_event(event, data)

    assert "ECDAN" not in text(page(client.get("/en/events/gps")).select_one(".partners"))


def test_a_cancelled_event_shows_as_cancelled_at_once(client, make_event):
    event = make_event(slug="gps")
    assert page(client.get("/en/events/gps")).select_one("form.registration-form") is not None

    with unit_of_work():
        cancel_event(event)

    shown = page(client.get("/en/events/gps"))
    assert shown.select_one("form.registration-form") is None
    assert "This event has been cancelled." in text(shown.select_one(".notice-warning"))


def test_the_form_goes_when_registration_closes_with_nothing_changed_but_the_time(
    client, make_event, frozen_clock
):
    make_event(slug="gps", registration_closes="2026-12-01T18:00")
    assert page(client.get("/en/events/gps")).select_one("form.registration-form") is not None

    frozen_clock.set(clock.to_instant(clock.parse_wall("2026-12-01T18:30"), "Europe/Paris"))
    shown = page(client.get("/en/events/gps"))

    assert shown.select_one("form.registration-form") is None
    assert "Registration for this event has closed." in text(shown.select_one("#register"))


def test_a_flashed_message_is_shown_once_on_the_page(client, make_event):
    make_event(slug="gps")
    client.get("/en/events/gps")
    with client.session_transaction() as session:
        session["_flashes"] = [("info", "Your registration is cancelled.")]

    assert "Your registration is cancelled." in text(page(client.get("/en/events/gps")))
    assert "Your registration is cancelled." not in text(page(client.get("/en/events/gps")))


def test_a_change_made_by_another_process_shows_at_once(app, client, make_event, monkeypatch):
    """Each gunicorn worker keeps its own pages: the version read from the database tells a
    worker that another one changed the event."""
    make_event(slug="gps")
    assert "Launch of gps" in text(page(client.get("/en/events/gps")).select_one("h1"))

    other_worker = create_app({**app.config, "TESTING": True})
    with other_worker.app_context():
        event = db.session.scalar(db.select(Event).where(Event.slug == "gps"))
        data = EventData.from_event(event)
        data.texts["en"]["title"] = "Launch of the Global Partnership Strategy"
        with unit_of_work():
            update_event(event, data)
        db.session.remove()

    assert text(page(client.get("/en/events/gps")).select_one("h1")) == (
        "Launch of the Global Partnership Strategy"
    )
