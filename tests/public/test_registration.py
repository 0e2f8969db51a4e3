"""Registering through the public form: every path a visitor can take."""

import pytest
from sqlalchemy import select

from eventsvc.extensions import db
from eventsvc.models import EventStatus, MessageKind, OutboxMessage, Registration
from tests.public.html import page, text


def registrations(event) -> list[Registration]:
    db.session.expire_all()
    return list(db.session.scalars(select(Registration).where(Registration.event_id == event.id)))


def test_new_registration_is_stored_and_redirects_to_the_thank_you_page(
    client, app, make_event, form_data
):
    event = make_event(slug="gps")

    response = client.post(
        "/fr/events/gps/register",
        data=form_data(
            email="Amina@Example.org", newsletter="y", question_for_speakers="Quel calendrier ?"
        ),
    )

    assert response.status_code == 303
    assert response.headers["Location"] == "/fr/events/gps/thanks?status=confirmed"
    [registration] = registrations(event)
    assert registration.status == "confirmed"
    assert (registration.full_name, registration.email) == ("Amina Diallo", "Amina@Example.org")
    assert (registration.country, registration.language) == ("SN", "fr")
    assert registration.interpretation_language == "floor"
    assert registration.question_for_speakers == "Quel calendrier ?"
    assert registration.newsletter is True
    assert registration.consent_version == app.config["PRIVACY_VERSION"]
    kinds = db.session.scalars(
        select(OutboxMessage.kind).where(OutboxMessage.registration_id == registration.id)
    ).all()
    assert MessageKind.CONFIRMATION in kinds


def test_thank_you_page_follows_the_redirect(client, make_event, form_data):
    make_event(slug="gps")

    response = client.post(
        "/en/events/gps/register", data=form_data(language="en"), follow_redirects=True
    )

    assert response.status_code == 200
    assert text(page(response).h1) == "Thank you for registering"


def test_registering_twice_creates_nothing_new_and_shows_the_same_page(
    client, make_event, form_data
):
    event = make_event(slug="gps")
    first = client.post("/en/events/gps/register", data=form_data())

    again = client.post(
        "/en/events/gps/register",
        data=form_data(email="  AMINA@example.org ", full_name="Someone Else"),
    )

    assert again.status_code == first.status_code == 303
    assert again.headers["Location"] == first.headers["Location"]
    [registration] = registrations(event)
    assert registration.full_name == "Amina Diallo"


def test_an_address_already_registered_looks_like_a_newcomer_when_full(
    client, make_event, make_registration, form_data
):
    """A confirmed registrant's address typed by someone else tells them nothing."""
    event = make_event(slug="gps", capacity=1)
    make_registration(event, email="amina@example.org")

    someone_else = client.post("/en/events/gps/register", data=form_data())
    newcomer = client.post("/en/events/gps/register", data=form_data(email="new@example.org"))

    assert someone_else.headers["Location"] == newcomer.headers["Location"]
    assert newcomer.headers["Location"].endswith("status=waitlisted")
    assert len(registrations(event)) == 2


def test_registration_at_capacity_goes_to_the_waitlist(
    client, make_event, make_registration, form_data
):
    event = make_event(slug="gps", capacity=1)
    make_registration(event)

    response = client.post("/en/events/gps/register", data=form_data(), follow_redirects=True)

    assert text(page(response).h1) == "You are on the waitlist"
    statuses = sorted(registration.status for registration in registrations(event))
    assert statuses == ["confirmed", "waitlisted"]


@pytest.mark.parametrize(
    ("setup", "reason"),
    [
        ({"status": EventStatus.CANCELLED}, "This event has been cancelled."),
        (
            {"start": "2026-11-22T09:30", "end": "2026-11-22T12:00"},
            "This event has already started or taken place.",
        ),
        (
            {"start": "2026-11-01T10:00", "end": "2026-11-01T11:00"},
            "This event has already started or taken place.",
        ),
        ({"registration_closes": "2026-11-22T10:59"}, "Registration for this event has closed."),
    ],
    ids=["cancelled", "started", "past", "deadline"],
)
def test_closed_event_stores_nothing_and_says_why(
    client, make_event, form_data, count_registrations, setup, reason
):
    make_event(slug="gps", **setup)

    response = client.post("/en/events/gps/register", data=form_data())

    assert response.status_code == 409
    assert reason in text(page(response).select_one("#register"))
    assert count_registrations() == 0


def test_invalid_input_is_answered_with_field_errors_and_kept_values(
    client, make_event, form_data, count_registrations
):
    make_event(slug="gps")

    response = client.post(
        "/en/events/gps/register",
        data=form_data(
            full_name="  ",
            email="not-an-address",
            organisation="OMEP <Sénégal>",
            consent=None,
            country="",
            question_for_speakers="Will slides be shared?",
        ),
    )

    assert response.status_code == 400
    soup = page(response)
    invalid = {"full_name", "email", "country", "consent"}
    for name in invalid:
        control = soup.find(id=name)
        assert control["aria-invalid"] == "true"
        error_id = f"{name}-error"
        assert error_id in control["aria-describedby"].split()
        assert soup.find(id=error_id) is not None
    summary_links = [a["href"] for a in soup.select(".error-summary a")]
    # in the page's order: the name, address and country fields are shared with the personal page
    assert summary_links == ["#full_name", "#email", "#country", "#consent"]
    assert soup.find(id="email")["value"] == "not-an-address"
    assert soup.find(id="organisation")["value"] == "OMEP <Sénégal>"
    assert not soup.find(id="organisation").has_attr("aria-invalid")
    assert soup.find(id="question_for_speakers").string.strip() == "Will slides be shared?"
    assert soup.find(id="language-1").has_attr("checked")
    assert count_registrations() == 0


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("full_name", "x" * 201),
        ("email", "a" * 250 + "@example.org"),
        ("organisation", "x" * 201),
        ("question_for_speakers", "x" * 2001),
        ("country", "XX"),
        ("language", "de"),
        ("interpretation_language", "es"),
    ],
)
def test_out_of_range_values_are_refused_beside_their_field(
    client, make_event, form_data, count_registrations, field, value
):
    make_event(slug="gps")

    response = client.post("/en/events/gps/register", data=form_data(**{field: value}))

    assert response.status_code == 400
    soup = page(response)
    assert soup.select_one(".field-invalid .error-message") is not None
    assert soup.select(".error-summary li")
    assert count_registrations() == 0


def test_form_offers_the_event_languages_and_defaults_to_the_page_language(client, make_event):
    make_event(slug="gps", floor_language="fr", interpretation_languages=["en"])

    soup = page(client.get("/fr/events/gps"))

    assert soup.find("input", attrs={"name": "language", "checked": True})["value"] == "fr"
    offered = [option["value"] for option in soup.find(id="interpretation_language")("option")]
    assert offered == ["", "floor", "en"]
    country_names = [text(option) for option in soup.find(id="country")("option")]
    assert "Sénégal" in country_names


def test_filled_honeypot_pretends_success_and_stores_nothing(
    client, make_event, form_data, count_registrations
):
    make_event(slug="gps")

    response = client.post("/en/events/gps/register", data=form_data(website="http://spam.example"))

    assert response.status_code == 303
    assert response.headers["Location"] == "/en/events/gps/thanks?status=confirmed"
    assert count_registrations() == 0
