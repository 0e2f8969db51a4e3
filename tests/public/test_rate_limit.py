"""Registration posts are rate-limited per address; the refusal is a page, not a crash."""

import pytest

from tests.public.html import page


@pytest.fixture
def app_config():
    return {"RATELIMIT_ENABLED": True, "RATELIMIT_REGISTER": "2 per minute"}


def test_too_many_registration_posts_get_a_429_page_in_the_locale(
    client, make_event, form_data, count_registrations
):
    make_event(slug="gps")
    for n in range(2):
        client.post("/fr/events/gps/register", data=form_data(email=f"p{n}@example.org"))

    response = client.post("/fr/events/gps/register", data=form_data(email="p3@example.org"))

    assert response.status_code == 429
    assert "Retry-After" in response.headers
    assert page(response).html["lang"] == "fr"
    assert count_registrations() == 2
