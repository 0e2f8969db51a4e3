""" "Confirm your address" mode from the organiser's side (issue 12): the editor's checkbox and
the import file turn it on, and the attendee list shows a hold with its end."""

import re

from sqlalchemy import select

from eventsvc.extensions import db
from eventsvc.models import Event, RegistrationStatus
from eventsvc.services.importer import ImportFailed, import_events
from eventsvc.services.inputs.registration import RegistrationInput
from eventsvc.services.registrations import register
from eventsvc.unit_of_work import unit_of_work
from tests.factories import as_json, document
from tests.organiser.test_events import event_form

NEW = "/organiser/events/new"


def stored(slug: str) -> Event | None:
    db.session.expire_all()
    return db.session.scalar(select(Event).where(Event.slug == slug))


def test_the_editor_checkbox_turns_the_mode_on_and_off(organiser):
    response = organiser.post(NEW, data=event_form(slug="scarce", confirm_address="y"))
    assert response.status_code == 302
    event = stored("scarce")
    assert event.confirm_address is True
    edit = organiser.get(f"/organiser/events/{event.slug}/edit").get_data(as_text=True)
    assert 'name="confirm_address"' in edit and "checked" in edit

    assert organiser.post(NEW, data=event_form(slug="plain")).status_code == 302
    assert stored("plain").confirm_address is False


def test_the_import_file_turns_the_mode_on_and_refuses_a_non_boolean(app):
    with unit_of_work():
        import_events(as_json(document(confirm_address=True)))
    assert db.session.scalar(select(Event)).confirm_address is True
    try:
        with unit_of_work():
            import_events(as_json(document(confirm_address="yes")))
    except ImportFailed as failed:
        assert "confirm_address" in str(failed.problems[0])
    else:
        raise AssertionError("a string was accepted")


def test_the_attendee_list_shows_the_hold_and_its_end(organiser, make_event):
    event = make_event(slug="scarce", capacity=1)
    event.confirm_address = True
    db.session.commit()
    with unit_of_work():
        held = register(
            event, RegistrationInput(full_name="Ana", email="ana@example.org", language="en")
        ).registration
    assert held.status == RegistrationStatus.CONFIRMED

    page = organiser.get("/organiser/events/scarce/registrations").get_data(as_text=True)

    assert "Awaiting address confirmation until" in page
    assert re.search(r"Of which awaiting address confirmation</dt><dd>1<", page)


def test_the_export_tells_a_held_seat_from_a_confirmed_one(app, make_event):
    from eventsvc.services import exports
    from eventsvc.services.registrations import confirm_address

    event = make_event(slug="scarce", capacity=1)
    event.confirm_address = True
    db.session.commit()
    with unit_of_work():
        held, confirmed = (
            register(
                event, RegistrationInput(full_name=n, email=f"{n}@example.org", language="en")
            ).registration
            for n in ("held", "confirmed")
        )
    with unit_of_work():
        confirm_address(confirmed)

    header, *rows = exports.registration_rows(event.id, "en")
    status = {row[header.index("Email")]: row[header.index("Status")] for row in rows}

    assert status == {
        "held@example.org": "Seat held, awaiting address confirmation",
        "confirmed@example.org": "Waitlisted",
    }
    db.session.refresh(event)
    assert event.confirmed_seats == 1  # the hold takes the seat
