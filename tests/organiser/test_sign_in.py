"""Signing in and out of the organiser workspace (throttling: test_throttling.py)."""

import pytest

from eventsvc.extensions import db
from tests.factories import PASSWORD, sign_in


def test_sign_in_with_right_password_opens_the_dashboard(client, organiser_account):
    response = sign_in(client, "Olga@Example.org")

    assert response.status_code == 302
    assert response.headers["Location"] == "/organiser/"
    assert client.get("/organiser/").status_code == 200


def test_sign_in_with_wrong_password_is_refused_without_saying_which_part(
    client, organiser_account
):
    wrong_password = sign_in(client, organiser_account.email, "not the password")
    unknown_address = sign_in(client, "nobody@example.org", "not the password")

    for response in (wrong_password, unknown_address):
        assert response.status_code == 200
        assert "The email address or the password is not right." in response.text
    assert client.get("/organiser/").status_code == 302


def test_password_is_stored_as_a_hash(organiser_account):
    assert organiser_account.password_hash.startswith("pbkdf2:")  # the tests' cheap method
    assert PASSWORD not in organiser_account.password_hash


def test_deactivated_account_cannot_sign_in(client, organiser_account):
    organiser_account.active = False
    db.session.commit()

    response = sign_in(client, organiser_account.email)

    assert "The email address or the password is not right." in response.text
    assert client.get("/organiser/").status_code == 302


def test_sign_out_ends_the_session(organiser):
    response = organiser.post("/organiser/logout")

    assert response.status_code == 302
    assert organiser.get("/organiser/").headers["Location"].startswith("/organiser/login")


def test_sign_out_needs_a_post(organiser):
    assert organiser.get("/organiser/logout").status_code == 405
    assert organiser.get("/organiser/").status_code == 200


@pytest.mark.parametrize(
    ("next_url", "expected"),
    [
        ("/organiser/events/new", "/organiser/events/new"),
        ("https://evil.example/steal", "/organiser/"),
        ("//evil.example/steal", "/organiser/"),
        ("/\\evil.example", "/organiser/"),
    ],
)
def test_next_redirect_stays_on_this_site(client, organiser_account, next_url, expected):
    response = client.post(
        "/organiser/login",
        query_string={"next": next_url},
        data={"email": organiser_account.email, "password": PASSWORD},
    )

    assert response.headers["Location"] == expected


def test_anonymous_visit_comes_back_after_sign_in(client, organiser_account):
    redirect = client.get("/organiser/events")
    login_page = client.get(redirect.headers["Location"])
    assert 'name="next"' in login_page.text

    response = client.post(
        redirect.headers["Location"],
        data={"email": organiser_account.email, "password": PASSWORD},
    )

    assert response.headers["Location"] == "/organiser/events"


def test_workspace_follows_the_language_chosen_in_the_session(organiser):
    organiser.get("/locale/fr", query_string={"next": "/organiser/"})

    page = organiser.get("/organiser/")

    assert '<html lang="fr" dir="ltr">' in page.text


def test_workspace_follows_accept_language_without_a_choice(client):
    page = client.get("/organiser/login", headers={"Accept-Language": "fr-FR,fr;q=0.9"})

    assert '<html lang="fr" dir="ltr">' in page.text
