"""With CSRF protection on (as in production), workspace forms refuse posts without a token."""

import re

import pytest

from tests.factories import PASSWORD, csrf_token_of, sign_in_with_token


@pytest.fixture
def app_config():
    return {"WTF_CSRF_ENABLED": True}


def signed_in(client, email):
    assert sign_in_with_token(client, email).status_code == 302
    return client


def test_sign_in_without_token_is_refused(client, organiser_account):
    response = client.post(
        "/organiser/login", data={"email": organiser_account.email, "password": PASSWORD}
    )

    assert response.status_code == 400
    assert client.get("/organiser/").status_code == 302


def test_event_post_without_token_is_refused_and_with_token_accepted(
    client, organiser_account, make_event
):
    make_event(slug="gps-launch", status="draft")
    signed_in(client, organiser_account.email)

    refused = client.post("/organiser/events/gps-launch/publish")
    assert refused.status_code == 400

    page = client.get("/organiser/events/gps-launch")
    accepted = client.post(
        "/organiser/events/gps-launch/publish", data={"csrf_token": csrf_token_of(page.text)}
    )
    assert accepted.status_code == 302


def test_every_form_of_the_event_page_carries_a_token(client, organiser_account, make_event):
    make_event(slug="gps-launch", status="draft")
    signed_in(client, organiser_account.email)

    page = client.get("/organiser/events/gps-launch").text

    forms = re.findall(r"<form[^>]*method=\"post\".*?</form>", page, re.S)
    assert forms
    assert all('name="csrf_token"' in form for form in forms)


def test_duplicating_needs_the_token(client, organiser_account, make_event):
    make_event(slug="gps-launch", status="draft")
    signed_in(client, organiser_account.email)

    assert client.post("/organiser/events/gps-launch/duplicate").status_code == 400
    assert client.get("/organiser/events/gps-launch-copy").status_code == 404

    page = client.get("/organiser/events/gps-launch")
    accepted = client.post(
        "/organiser/events/gps-launch/duplicate", data={"csrf_token": csrf_token_of(page.text)}
    )
    assert accepted.status_code == 302
    assert accepted.headers["Location"].endswith("/organiser/events/gps-launch-copy/edit")
