"""Registration and sign-in are rate limited per client address, with a page in the locale."""

import pytest
from flask_babel import force_locale, gettext
from sqlalchemy import func, select

from eventsvc.extensions import db
from eventsvc.models import Registration
from tests.hardening.forms import registration_form


@pytest.fixture
def app_config():
    return {
        "RATELIMIT_ENABLED": True,
        "RATELIMIT_REGISTER": "3 per minute",
        "RATELIMIT_LOGIN": "2 per minute",
    }


def _post(client, event, lang="fr", address="192.0.2.10"):
    return client.post(
        f"/{lang}/events/{event.slug}/register",
        data=registration_form(),
        environ_base={"REMOTE_ADDR": address},
    )


def _registrations() -> int:
    return db.session.scalar(select(func.count(Registration.id)))


def test_registrations_beyond_the_limit_get_429_and_store_nothing(client, make_event):
    event = make_event()
    assert [_post(client, event).status_code for _ in range(3)] == [303, 303, 303]
    refused = _post(client, event)
    assert refused.status_code == 429
    assert int(refused.headers["Retry-After"]) > 0
    assert _registrations() == 3


def test_the_429_page_speaks_french_on_french_pages(client, make_event):
    event = make_event()
    for _ in range(3):
        _post(client, event)
    page = _post(client, event).get_data(as_text=True)
    assert '<html lang="fr"' in page
    with force_locale("fr"):
        assert gettext("Too many requests") in page


def test_the_429_page_speaks_english_on_english_pages(client, make_event):
    event = make_event()
    for _ in range(3):
        _post(client, event, lang="en")
    page = _post(client, event, lang="en").get_data(as_text=True)
    assert '<html lang="en"' in page
    assert "Too many requests" in page


def test_the_limit_counts_each_address_apart(client, make_event):
    event = make_event()
    for _ in range(3):
        _post(client, event, address="192.0.2.10")
    assert _post(client, event, address="192.0.2.10").status_code == 429
    assert _post(client, event, address="198.51.100.20").status_code == 303


def test_the_limit_holds_across_events(client, make_event):
    first, second = make_event(), make_event()
    for _ in range(3):
        _post(client, first)
    assert _post(client, second).status_code == 429


def test_reading_event_pages_is_not_limited(client, make_event):
    event = make_event()
    statuses = {client.get(f"/fr/events/{event.slug}").status_code for _ in range(10)}
    assert statuses == {200}
    assert _post(client, event).status_code == 303


def test_sign_in_attempts_beyond_the_limit_get_429(client):
    attempt = {"email": "someone@example.org", "password": "wrong"}
    statuses = [client.post("/organiser/login", data=attempt).status_code for _ in range(3)]
    assert statuses[:2] != [429, 429]
    assert statuses[2] == 429


class TestRateLimitStoreDown:
    """A Redis outage lets registrations through unlimited rather than answering 500."""

    @pytest.fixture
    def app_config(self):
        return {
            "RATELIMIT_ENABLED": True,
            "RATELIMIT_REGISTER": "1 per minute",
            "RATELIMIT_STORAGE_URI": "redis://127.0.0.1:1/0",
        }

    def test_registration_still_succeeds(self, client, make_event):
        event = make_event()
        assert [_post(client, event).status_code for _ in range(2)] == [303, 303]
        assert _registrations() == 2

    def test_sign_in_with_an_unknown_address_is_refused_not_crashed(self, client):
        attempt = {"email": "nobody@example.org", "password": "wrong password"}
        response = client.post("/organiser/login", data=attempt)
        assert response.status_code == 200
        assert b"organiser/login" in response.data


def test_a_forged_forwarded_address_does_not_escape_the_limit(client, make_event):
    event = make_event()
    for n in range(3):
        client.post(
            f"/fr/events/{event.slug}/register",
            data=registration_form(),
            headers={"X-Forwarded-For": f"203.0.113.{n}"},
        )
    forged = client.post(
        f"/fr/events/{event.slug}/register",
        data=registration_form(),
        headers={"X-Forwarded-For": "203.0.113.99"},
    )
    assert forged.status_code == 429


class TestBehindOneProxy:
    @pytest.fixture
    def app_config(self):
        return {
            "RATELIMIT_ENABLED": True,
            "RATELIMIT_REGISTER": "1 per minute",
            "PROXY_FIX_HOPS": 1,
        }

    def test_each_forwarded_client_is_limited_apart(self, client, make_event):
        event = make_event()

        def post(address):
            return client.post(
                f"/fr/events/{event.slug}/register",
                data=registration_form(),
                headers={"X-Forwarded-For": address},
            ).status_code

        assert [post("203.0.113.1"), post("203.0.113.2"), post("203.0.113.1")] == [303, 303, 429]
