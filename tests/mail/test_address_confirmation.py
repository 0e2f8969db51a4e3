""" "Confirm your address" mode (issue 12): at an event with scarce seats the place is only held
until the registrant clicks the link of a first mail that carries nothing from the form; only
then do the confirmation with the invite (or the waitlist notice) and reminders go out, and an
unconfirmed hold expires and frees its seat for the waitlist."""

import re
from datetime import timedelta

import pytest
from sqlalchemy import select

from eventsvc.extensions import db
from eventsvc.mail.dispatcher import dispatch_due
from eventsvc.models import MessageKind, OutboxMessage, Registration, RegistrationStatus
from eventsvc.services import registrations
from eventsvc.services.registrations import AddressConfirmation
from eventsvc.unit_of_work import unit_of_work
from tests.mail.reading import html_of, parse, text_of

NAME = "Click http://evil.example now"


@pytest.fixture
def scarce(make_event):
    """An event in "confirm your address" mode with one seat."""
    event = make_event(slug="scarce", capacity=1)
    event.confirm_address = True
    db.session.commit()
    return event


@pytest.fixture
def post(client, scarce):
    def send(email="nadia@example.org", lang="en", **overrides):
        data = {
            "full_name": NAME,
            "email": email,
            "organisation": "Org http://evil.example/org",
            "country": "SN",
            "language": lang,
            "consent": "y",
            **overrides,
        }
        response = client.post(f"/{lang}/events/scarce/register", data=data)
        assert response.status_code == 303
        return db.session.scalar(select(Registration).where(Registration.email_normalised == email))

    return send


def _sent(smtp):
    return [parse(raw.as_bytes()) for raw in smtp.messages]


def _confirm_path(message) -> str:
    return re.search(r"https?://[^/]+(/\S+/confirm)\b", text_of(message)).group(1)


def _kinds(registration) -> list[MessageKind]:
    return list(
        db.session.scalars(
            select(OutboxMessage.kind)
            .where(OutboxMessage.registration_id == registration.id)
            .order_by(OutboxMessage.id)
        )
    )


def _has_calendar(message) -> bool:
    return any(part.get_content_type() == "text/calendar" for part in message.walk())


def test_the_first_mail_carries_no_form_text_and_no_invite(smtp_app, smtp, post):
    registration = post(newsletter="y")
    assert registration.status == RegistrationStatus.CONFIRMED  # the seat is held
    assert registration.address_hold_until is not None
    assert _kinds(registration) == [MessageKind.ADDRESS_CONFIRM]

    dispatch_due()

    (message,) = _sent(smtp)
    assert message["To"].addresses[0].display_name == ""
    assert message["To"].addresses[0].addr_spec == "nadia@example.org"
    assert not _has_calendar(message)
    for body in (text_of(message), html_of(message)):
        assert "evil.example" not in body and "Click" not in body
        assert "/confirm" in body
    assert "Launch of scarce" in str(message["Subject"])


def test_opening_the_link_confirms_nothing_and_the_button_sends_the_invite(
    smtp_app, smtp, client, post
):
    registration = post(newsletter="y")
    dispatch_due()
    path = _confirm_path(_sent(smtp)[0])

    own_page = client.get(path.removesuffix("/confirm")).get_data(as_text=True)
    assert "Your place is held until" in own_page and "invite.ics" not in own_page
    page = client.get(path)  # what a mail scanner's prefetch does
    assert page.status_code == 200
    assert "Confirm my address" in page.get_data(as_text=True)
    db.session.refresh(registration)
    assert registration.address_hold_until is not None
    assert _kinds(registration) == [MessageKind.ADDRESS_CONFIRM]

    done = client.post(path)
    assert "the place is yours" in done.get_data(as_text=True)
    db.session.refresh(registration)
    assert registration.address_hold_until is None
    kinds = _kinds(registration)
    assert kinds[:2] == [MessageKind.ADDRESS_CONFIRM, MessageKind.CONFIRMATION]
    assert MessageKind.NEWSLETTER_CONFIRM in kinds  # reminders: the event's, by rule

    smtp.messages.clear()
    dispatch_due()
    (confirmation,) = [m for m in _sent(smtp) if "Registration confirmed" in str(m["Subject"])]
    assert _has_calendar(confirmation)
    assert confirmation["To"].addresses[0].display_name == NAME

    assert "invite.ics" in client.get(path.removesuffix("/confirm")).get_data(as_text=True)
    again = client.post(path)
    assert "already confirmed" in again.get_data(as_text=True)
    assert client.get(path).get_data(as_text=True).count("already confirmed") == 1


def test_an_unconfirmed_hold_expires_and_its_seat_goes_to_the_next_on_the_waitlist(
    app, smtp_app, smtp, client, post, frozen_clock
):
    frozen_clock.set(registrations.clock.now())
    first = post("first@example.org")
    skipped = post("skipped@example.org")  # waitlisted, never confirms
    frozen_clock.advance(timedelta(minutes=1))
    waiting = post("waiting@example.org")  # waitlisted, confirms
    assert (first.status, skipped.status, waiting.status) == (
        RegistrationStatus.CONFIRMED,
        RegistrationStatus.WAITLISTED,
        RegistrationStatus.WAITLISTED,
    )
    with unit_of_work():
        assert registrations.confirm_address(waiting) == AddressConfirmation.CONFIRMED
    assert waiting.status == RegistrationStatus.WAITLISTED  # no seat free yet
    assert _kinds(waiting) == [MessageKind.ADDRESS_CONFIRM, MessageKind.WAITLISTED]
    dispatch_due()
    first_path = _confirm_path(
        next(m for m in _sent(smtp) if m["To"].addresses[0].addr_spec == "first@example.org")
    )

    frozen_clock.advance(timedelta(hours=app.config["ADDRESS_CONFIRMATION_HOURS"], minutes=1))
    result = app.test_cli_runner().invoke(args=["expire-holds"])
    assert result.exit_code == 0 and "Freed 2" in result.output

    for registration in (first, skipped, waiting):
        db.session.refresh(registration)
    assert first.status == RegistrationStatus.CANCELLED
    assert skipped.status == RegistrationStatus.CANCELLED
    assert waiting.status == RegistrationStatus.CONFIRMED
    assert MessageKind.PROMOTED in _kinds(waiting)
    assert scarce_seats(first) == 1

    expired = client.get(first_path).get_data(as_text=True)
    assert "This link has expired" in expired and "Confirm my address" not in expired
    assert "This link has expired" in client.post(first_path).get_data(as_text=True)
    db.session.refresh(first)
    assert first.status == RegistrationStatus.CANCELLED


def scarce_seats(registration) -> int:
    event = registration.event
    db.session.refresh(event)
    return event.confirmed_seats


def test_the_waitlist_promotion_passes_over_unconfirmed_addresses(post):
    first = post("first@example.org")
    unconfirmed = post("unconfirmed@example.org")
    confirmed = post("confirmed@example.org")
    with unit_of_work():
        registrations.confirm_address(first)
    with unit_of_work():
        registrations.confirm_address(confirmed)

    with unit_of_work():
        (promoted,) = registrations.cancel(first)

    assert promoted.id == confirmed.id
    db.session.refresh(unconfirmed)
    assert unconfirmed.status == RegistrationStatus.WAITLISTED
    assert unconfirmed.address_hold_until is not None


def test_expiry_runs_lazily_when_someone_registers(post, frozen_clock, app):
    frozen_clock.set(registrations.clock.now())
    first = post("first@example.org")
    frozen_clock.advance(timedelta(hours=app.config["ADDRESS_CONFIRMATION_HOURS"], minutes=1))

    later = post("later@example.org")

    db.session.refresh(first)
    assert first.status == RegistrationStatus.CANCELLED
    assert later.status == RegistrationStatus.CONFIRMED  # the freed seat, held for them


def test_the_french_mail_and_page_speak_french(smtp_app, smtp, client, post):
    post(lang="fr")
    dispatch_due()
    (message,) = _sent(smtp)
    text = text_of(message)
    assert "Bonjour," in text and "Confirmez votre adresse" in str(message["Subject"])
    assert "\u00a0:" in text
    page = client.get(_confirm_path(message)).get_data(as_text=True)
    assert "Confirmer mon adresse" in page


def test_with_the_mode_off_the_confirmation_goes_out_at_once(client, post, scarce):
    scarce.confirm_address = False
    db.session.commit()
    registration = post()
    assert registration.address_hold_until is None
    assert _kinds(registration)[0] == MessageKind.CONFIRMATION
    assert MessageKind.ADDRESS_CONFIRM not in _kinds(registration)


def test_cancelling_a_held_place_mails_nothing_and_the_link_says_cancelled(client, post, smtp):
    registration = post()
    dispatch_due_before = _kinds(registration)
    with unit_of_work():
        registrations.cancel(registration)
    assert _kinds(registration) == dispatch_due_before  # no cancellation mail, no CANCEL
    with unit_of_work():
        assert registrations.confirm_address(registration) == AddressConfirmation.CANCELLED


def test_registering_again_while_held_resends_only_the_address_mail(post, frozen_clock):
    frozen_clock.set(registrations.clock.now())
    registration = post()
    frozen_clock.advance(registrations.RESEND_INTERVAL + timedelta(minutes=1))
    post()
    assert _kinds(registration) == [MessageKind.ADDRESS_CONFIRM, MessageKind.ADDRESS_CONFIRM]


@pytest.mark.parametrize("status", ["cancelled", "postponed"])
def test_a_hold_on_an_event_no_longer_on_confirms_nothing(smtp_app, smtp, client, post, status):
    """An event cancelled or postponed while the address waited: the button neither takes the
    place nor sends a confirmation with an invite for an event that is not on."""
    from eventsvc.models import EventStatus

    registration = post()
    dispatch_due()
    path = _confirm_path(_sent(smtp)[0])
    registration.event.status = EventStatus(status)
    db.session.commit()

    assert "no longer takes registrations" in client.get(path).get_data(as_text=True)
    done = client.post(path)
    assert "no longer takes registrations" in done.get_data(as_text=True)
    db.session.refresh(registration)
    assert registration.address_hold_until is not None
    assert _kinds(registration) == [MessageKind.ADDRESS_CONFIRM]


def test_a_hold_cannot_be_confirmed_once_the_event_has_begun(post, frozen_clock):
    registration = post()
    registration.address_hold_until = registration.event.starts_at + timedelta(hours=1)
    db.session.commit()
    frozen_clock.set(registration.event.starts_at)
    with unit_of_work():
        assert registrations.confirm_address(registration) == AddressConfirmation.CLOSED
    assert _kinds(registration) == [MessageKind.ADDRESS_CONFIRM]
