"""A cancelled registration taken up again by the same address is a new place: the old personal
link stops working, consent is asked again, and nothing from before shows."""

from eventsvc.extensions import db
from eventsvc.models import Registration
from eventsvc.services import registrations
from eventsvc.services.inputs.registration import RegistrationInput
from eventsvc.services.tokens import make_token, registration_for_token
from eventsvc.unit_of_work import unit_of_work


def test_registering_again_after_cancelling_kills_the_old_link_and_keeps_nothing(
    app, client, make_event, make_registration, frozen_clock
):
    from datetime import timedelta

    event = make_event()
    bob = make_registration(
        event,
        email="bob@example.org",
        full_name="Bob Original",
        organisation="Old NGO",
        question_for_speakers="Old question?",
        newsletter=True,
        timezone="Asia/Tokyo",
    )
    old_link = make_token(bob)
    old_consent = bob.consent_at
    with unit_of_work():
        registrations.cancel(bob)
    frozen_clock.advance(timedelta(hours=1))

    with unit_of_work():
        result = registrations.register(
            event,
            RegistrationInput(full_name="Someone Else", email="BOB@example.org", language="en"),
        )

    again = db.session.get(Registration, result.registration.id)
    assert again.id == bob.id  # the same row, one per address and event
    assert client.get(f"/en/registrations/{old_link}").status_code == 404
    assert registration_for_token(old_link) is None
    new_link = make_token(again)
    assert new_link != old_link
    page = client.get(f"/en/registrations/{new_link}").get_data(as_text=True)
    assert "Someone Else" in page and "Bob Original" not in page and "Old NGO" not in page
    assert (again.organisation, again.question_for_speakers, again.newsletter) == ("", "", False)
    assert again.timezone == ""  # the new form's browser gave none; the old zone is not kept
    assert again.consent_at == frozen_clock.now != old_consent
    assert again.created_at == frozen_clock.now


def test_registering_again_without_consent_keeps_no_earlier_consent(
    app, make_event, make_registration
):
    event = make_event()
    bob = make_registration(event, email="bob@example.org")
    with unit_of_work():
        registrations.cancel(bob)

    with unit_of_work():
        registrations.register(
            event,
            RegistrationInput(
                full_name="Bob", email="bob@example.org", language="en", consent=False
            ),
        )

    again = db.session.get(Registration, bob.id)
    assert (again.consent_at, again.consent_version) == (None, "")
