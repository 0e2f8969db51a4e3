"""Cancelling from the attendee list says who moved up from the waitlist, in the singular or the
plural as the number of people asks, in English and in French."""

import pytest

from eventsvc.extensions import db
from tests.i18n.wording import cell_texts, parse

URL = "/organiser/events/gps-launch/registrations"


@pytest.fixture
def event(make_event):
    return make_event(slug="gps-launch", capacity=1)


@pytest.fixture
def leaving(event, make_registration):
    """Amina has the only place; Bruno and Chloé wait."""
    amina = make_registration(event, full_name="Amina Diallo")
    make_registration(event, full_name="Bruno Costa")
    make_registration(event, full_name="Chloé Martin")
    return amina


def cancel(client, registration) -> list[str]:
    response = client.post(
        f"{URL}/{registration.id}/cancel", data={"next": URL}, follow_redirects=True
    )
    return cell_texts(parse(response).select(".notice"))


@pytest.fixture
def room_for_everyone(event, leaving):
    """A capacity raised behind the service's back, so that one cancellation frees two seats."""
    event.capacity = 3
    db.session.commit()


def test_one_person_moves_up_in_french(french_organiser, leaving):
    messages = cancel(french_organiser, leaving)
    assert "Bruno Costa passe de la liste d’attente à une place confirmée." in messages


@pytest.mark.usefixtures("room_for_everyone")
def test_two_people_move_up_in_french(french_organiser, leaving):
    messages = cancel(french_organiser, leaving)
    expected = "Bruno Costa et Chloé Martin passent de la liste d’attente à des places confirmées."
    assert expected in messages


def test_one_person_moves_up_in_english(organiser, leaving):
    messages = cancel(organiser, leaving)
    assert "Bruno Costa moves up from the waitlist to a confirmed place." in messages


@pytest.mark.usefixtures("room_for_everyone")
def test_two_people_move_up_in_english(organiser, leaving):
    messages = cancel(organiser, leaving)
    assert "Bruno Costa and Chloé Martin move up from the waitlist to confirmed places." in messages
