"""Fixtures of the organiser workspace tests: accounts, and clients signed in through the form."""

import pytest

from eventsvc.models import Role
from eventsvc.services.organisers import NewOrganiser, create_organiser

PASSWORD = "correct horse battery staple"


@pytest.fixture
def organiser_account(app):
    return create_organiser(
        NewOrganiser(email="olga@example.org", password=PASSWORD, name="Olga Organiser")
    )


@pytest.fixture
def admin_account(app):
    return create_organiser(
        NewOrganiser(email="ada@example.org", password=PASSWORD, name="Ada Admin", role=Role.ADMIN)
    )


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
