"""The embedded form counts against the same registration rate limit as the public one."""

import pytest

from tests.embed.test_embed import form_token
from tests.public.html import page, text


@pytest.fixture
def app_config():
    return {"RATELIMIT_ENABLED": True, "RATELIMIT_REGISTER": "1 per minute"}


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
