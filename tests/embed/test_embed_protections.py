"""With the site's protections on, as in production: CSRF (the embed's form token stands in for
it), and the same registration rate limit as the public form."""

import pytest

from tests.embed.test_embed import form_token
from tests.public.html import page, text


@pytest.fixture
def app_config():
    return {
        "RATELIMIT_ENABLED": True,
        "RATELIMIT_REGISTER": "1 per minute",
        "WTF_CSRF_ENABLED": True,
    }


def test_the_rate_limit_applies_and_keeps_what_was_typed(app, make_event, form_data):
    make_event(slug="gps")
    client = app.test_client(use_cookies=False)
    for number in (1, 2):
        token = form_token(client.get("/embed/en/events/gps"))
        response = client.post(
            "/embed/en/events/gps/register",
            data={**form_data(email=f"p{number}@example.org", language="en"), "form_token": token},
        )
    assert response.status_code == 429
    assert "Many people" in text(page(response).select_one(".error-summary"))
    assert page(response).find("input", attrs={"name": "email"})["value"] == "p2@example.org"
    assert "Retry-After" in response.headers


def test_the_form_token_replaces_the_session_csrf_token(app, make_event, form_data):
    make_event(slug="gps")
    client = app.test_client(use_cookies=False)
    token = form_token(client.get("/embed/en/events/gps"))
    response = client.post(
        "/embed/en/events/gps/register", data={**form_data(language="en"), "form_token": token}
    )
    assert response.status_code == 303
    # The public form, without its session, is still refused by CSRF.
    refused = client.post("/en/events/gps/register", data=form_data(email="x@example.org"))
    assert refused.status_code == 400
