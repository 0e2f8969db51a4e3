"""With CSRF protection on, the attendee actions and announcements need the page's token."""

import pytest
from sqlalchemy import select

from eventsvc.extensions import db
from eventsvc.models import Announcement, RegistrationStatus
from tests.factories import csrf_token_of, sign_in_with_token

URL = "/organiser/events/gps-launch"


@pytest.fixture
def app_config():
    return {"WTF_CSRF_ENABLED": True}


@pytest.fixture
def client_with_token(client, organiser_account):
    sign_in_with_token(client, organiser_account.email)
    return client


@pytest.fixture
def person(make_event, make_registration):
    return make_registration(make_event(slug="gps-launch"), language="en")


def test_cancel_without_token_is_refused(client_with_token, person):
    response = client_with_token.post(f"{URL}/registrations/{person.id}/cancel")
    assert response.status_code == 400
    db.session.refresh(person)
    assert person.status == RegistrationStatus.CONFIRMED


def test_cancel_with_the_confirmation_pages_token(client_with_token, person):
    page = client_with_token.get(f"{URL}/registrations/{person.id}/cancel")
    token = csrf_token_of(page.text)
    response = client_with_token.post(
        f"{URL}/registrations/{person.id}/cancel", data={"csrf_token": token}
    )
    assert response.status_code == 303
    db.session.refresh(person)
    assert person.status == RegistrationStatus.CANCELLED


def test_list_forms_carry_a_token(client_with_token, person, make_registration):
    waiting = make_registration(person.event, language="en")
    waiting.status = RegistrationStatus.WAITLISTED
    db.session.commit()
    html = client_with_token.get(f"{URL}/registrations").text
    token = csrf_token_of(html)
    response = client_with_token.post(
        f"{URL}/registrations/{waiting.id}/promote", data={"csrf_token": token}
    )
    assert response.status_code == 303
    db.session.refresh(waiting)
    assert waiting.status == RegistrationStatus.CONFIRMED


def test_announcement_without_token_sends_nothing(client_with_token, person):
    response = client_with_token.post(
        f"{URL}/announce",
        data={"send": "1", "text_en-subject": "Hello", "text_en-body": "Body"},
    )
    assert response.status_code == 400
    assert db.session.scalar(select(Announcement)) is None
