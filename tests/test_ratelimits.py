"""Registration and sign-in are rate limited per client address, with a page in the locale."""

import time

import pytest
from bs4 import BeautifulSoup
from flask_babel import force_locale, gettext
from sqlalchemy import func, select

from eventsvc import create_app
from eventsvc.extensions import db
from eventsvc.models import Registration
from tests.clients import IsolatedClient
from tests.factories import new_registrant_form as registration_form


@pytest.fixture
def app_config():
    return {
        "RATELIMIT_ENABLED": True,
        "RATELIMIT_REGISTER": "3 per minute",
        "RATELIMIT_LOGIN": "2 per minute",
    }


def _post(client, event, lang="fr", address="192.0.2.10", data_overrides=None):
    return client.post(
        f"/{lang}/events/{event.slug}/register",
        data=registration_form(**(data_overrides or {})),
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


def _refusal_notice(response) -> str:
    page = BeautifulSoup(response.get_data(as_text=True), "html.parser")
    return page.select_one("form.registration-form [role=alert]").get_text(" ", strip=True)


def test_the_429_page_speaks_french_on_french_pages(client, make_event):
    event = make_event()
    for _ in range(3):
        _post(client, event)
    refused = _post(client, event)
    assert '<html lang="fr"' in refused.get_data(as_text=True)
    assert "Rien n’est perdu" in _refusal_notice(refused)
    assert "dans 1 minute" in _refusal_notice(refused)


def test_the_429_page_speaks_english_on_english_pages(client, make_event):
    event = make_event()
    for _ in range(3):
        _post(client, event, lang="en")
    refused = _post(client, event, lang="en")
    assert '<html lang="en"' in refused.get_data(as_text=True)
    assert "Nothing was lost" in _refusal_notice(refused)


def test_sign_in_beyond_the_limit_still_gets_the_429_page(client):
    attempt = {"email": "someone@example.org", "password": "wrong"}
    for _ in range(2):
        client.post("/organiser/login", data=attempt)
    page = client.post("/organiser/login", data=attempt).get_data(as_text=True)
    with force_locale("en"):
        assert gettext("Too many requests") in page


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


def test_forms_sent_back_with_errors_do_not_count_against_the_limit(client, make_event):
    event = make_event()
    for _ in range(5):
        refused = _post(client, event, data_overrides={"consent": ""})
        assert refused.status_code == 400
    assert [_post(client, event).status_code for _ in range(3)] == [303, 303, 303]
    assert _registrations() == 3


def test_a_registration_beyond_the_limit_keeps_what_was_typed(client, make_event):
    event = make_event()
    for _ in range(3):
        _post(client, event, lang="en")
    typed = {
        "full_name": "Ndèye Fall",
        "email": "ndeye@example.org",
        "question_for_speakers": "Slides?",
    }
    refused = _post(client, event, lang="en", data_overrides=typed)

    assert refused.status_code == 429
    assert int(refused.headers["Retry-After"]) > 0
    form = BeautifulSoup(refused.get_data(as_text=True), "html.parser").select_one(
        "form.registration-form"
    )
    assert form.select_one("#full_name")["value"] == "Ndèye Fall"
    assert form.select_one("#email")["value"] == "ndeye@example.org"
    assert form.select_one("#question_for_speakers").get_text().strip() == "Slides?"
    assert "Send the form again in 1 minute" in _refusal_notice(refused)
    assert _registrations() == 3


class TestCountsInTheDatabase:
    """The default storage is the application's database, which every worker process shares:
    a second app on the same database (another gunicorn worker) sees the first one's count."""

    @pytest.fixture
    def app_config(self):
        return {"RATELIMIT_ENABLED": True, "RATELIMIT_REGISTER": "3 per minute"}

    def test_the_default_storage_is_the_database(self, app):
        assert app.config["RATELIMIT_STORAGE_URI"] == "database://"

    def test_a_second_process_on_the_same_database_sees_the_count(
        self, app, client, make_event, database_uri, tmp_path
    ):
        event = make_event()
        for _ in range(2):
            assert _post(client, event).status_code == 303
        other = create_app(
            {
                "TESTING": True,
                "SQLALCHEMY_DATABASE_URI": database_uri,
                "WTF_CSRF_ENABLED": False,
                "RATELIMIT_ENABLED": True,
                "RATELIMIT_REGISTER": "3 per minute",
                "PUBLIC_BASE_URL": "http://events.test",
            }
        )
        other.test_client_class = IsolatedClient
        try:
            with other.app_context():
                other_client = other.test_client()
                assert _post(other_client, event).status_code == 303
                assert _post(other_client, event).status_code == 429
        finally:
            with other.app_context():
                db.engine.dispose()
        assert _post(client, event).status_code == 429
        assert _registrations() == 3

    def test_a_window_that_has_ended_counts_from_zero(self, app, monkeypatch):
        from eventsvc import ratelimits

        storage = ratelimits.DatabaseStorage()
        now = time.time()
        monkeypatch.setattr(ratelimits.time, "time", lambda: now)
        assert [storage.incr("k", 60) for _ in range(3)] == [1, 2, 3]
        assert storage.get("k") == 3
        assert storage.get_expiry("k") == pytest.approx(now + 60)
        monkeypatch.setattr(ratelimits.time, "time", lambda: now + 61)
        assert storage.get("k") == 0
        assert storage.incr("k", 60) == 1
        assert storage.get_expiry("k") == pytest.approx(now + 121)
