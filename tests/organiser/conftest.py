"""Fixtures of the organiser workspace tests: accounts, and clients signed in through the form."""

import pytest

from eventsvc.extensions import db
from eventsvc.models import EventAssignment, Role
from eventsvc.services.organisers import NewOrganiser, create_organiser
from eventsvc.unit_of_work import unit_of_work

PASSWORD = "correct horse battery staple"


@pytest.fixture
def organiser_account(app):
    with unit_of_work():
        return create_organiser(
            NewOrganiser(email="olga@example.org", password=PASSWORD, name="Olga Organiser")
        )


@pytest.fixture
def admin_account(app):
    with unit_of_work():
        return create_organiser(
            NewOrganiser(
                email="ada@example.org", password=PASSWORD, name="Ada Admin", role=Role.ADMIN
            )
        )


@pytest.fixture
def make_event(make_event, request):
    """The root factory; when the test has a plain organiser, the event is assigned to them
    (organisers see only their events; tests/organiser/test_event_access.py checks that)."""
    if "organiser_account" not in request.fixturenames:
        return make_event

    def factory(*args, **kwargs):
        event = make_event(*args, **kwargs)
        account = request.getfixturevalue("organiser_account")
        with unit_of_work():
            db.session.add(EventAssignment(event_id=event.id, organiser_id=account.id))
        return event

    return factory


def sign_in(client, email: str, password: str = PASSWORD):
    return client.post("/organiser/login", data={"email": email, "password": password})


@pytest.fixture
def organiser(app, organiser_account):
    """A test client signed in as a plain organiser."""
    client = app.test_client()
    response = sign_in(client, organiser_account.email)
    assert response.status_code == 302
    return client


@pytest.fixture
def admin(app, admin_account):
    """A test client signed in as an administrator."""
    client = app.test_client()
    response = sign_in(client, admin_account.email)
    assert response.status_code == 302
    return client
