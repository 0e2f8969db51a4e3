"""Production refuses a generated SECRET_KEY; proxies are trusted only when configured."""

import logging

import pytest
from flask import request

from eventsvc.security import InsecureConfiguration


def test_development_generates_and_keeps_a_secret_key(app_factory, tmp_path):
    first = app_factory()
    second = app_factory()
    assert len(first.config["SECRET_KEY"]) >= 32
    assert second.config["SECRET_KEY"] == first.config["SECRET_KEY"]
    assert (tmp_path / "instance" / "secret_key").read_text().strip() == first.config["SECRET_KEY"]


@pytest.mark.parametrize("flag", [{"ENV": "production"}, {"PRODUCTION": True}])
def test_production_refuses_to_start_without_an_explicit_secret_key(app_factory, tmp_path, flag):
    with pytest.raises(InsecureConfiguration, match="SECRET_KEY"):
        app_factory(**flag)
    assert not (tmp_path / "instance" / "secret_key").exists()


def test_production_is_recognised_from_the_environment(app_factory, monkeypatch):
    monkeypatch.setenv("EVENTSVC_ENV", "production")
    with pytest.raises(InsecureConfiguration):
        app_factory()


def test_production_starts_with_a_secret_key_from_the_environment(app_factory, monkeypatch):
    monkeypatch.setenv("EVENTSVC_ENV", "production")
    monkeypatch.setenv("EVENTSVC_SECRET_KEY", "k" * 64)
    app = app_factory()
    assert app.config["SECRET_KEY"] == "k" * 64


def test_testing_mode_is_not_production(app_factory):
    app = app_factory(ENV="production", TESTING=True)
    assert app.config["SECRET_KEY"]


def _address_app(app_factory, **config):
    app = app_factory(**config)

    @app.get("/_test/client")
    def client_view():
        return {"addr": request.remote_addr, "scheme": request.scheme, "host": request.host}

    return app.test_client()


FORWARDED = {
    "X-Forwarded-For": "203.0.113.7",
    "X-Forwarded-Proto": "https",
    "X-Forwarded-Host": "events.example.org",
}


def test_forwarded_headers_are_ignored_without_a_configured_proxy(app_factory):
    client = _address_app(app_factory)
    seen = client.get("/_test/client", headers=FORWARDED).get_json()
    assert seen == {"addr": "127.0.0.1", "scheme": "http", "host": "localhost"}


def test_forwarded_headers_are_honoured_from_the_configured_proxy(app_factory):
    client = _address_app(app_factory, PROXY_FIX_HOPS=1)
    seen = client.get("/_test/client", headers=FORWARDED).get_json()
    assert seen == {"addr": "203.0.113.7", "scheme": "https", "host": "events.example.org"}


def test_only_the_configured_number_of_proxies_is_trusted(app_factory):
    client = _address_app(app_factory, PROXY_FIX_HOPS=1)
    spoofed = {"X-Forwarded-For": "198.51.100.1, 203.0.113.7"}
    assert client.get("/_test/client", headers=spoofed).get_json()["addr"] == "203.0.113.7"


PRODUCTION = {"ENV": "production", "SECRET_KEY": "k" * 64}


def test_documented_production_settings_give_the_sites_own_identity(app_factory):
    app = app_factory(
        **PRODUCTION,
        MAIL_DEFAULT_SENDER="OMEP events <events@omep.example.org>",
        PUBLIC_BASE_URL="https://events.omep.example.org",
    )
    assert app.config["ORGANIZER_EMAIL"] == "events@omep.example.org"
    assert app.config["ORGANIZER_NAME"] == "OMEP events"
    assert app.config["CALENDAR_DOMAIN"] == "events.omep.example.org"


def test_calendar_domain_falls_back_to_the_senders_domain(app_factory):
    app = app_factory(MAIL_DEFAULT_SENDER=["OMEP", "events@omep.example.org"])
    assert app.config["CALENDAR_DOMAIN"] == "omep.example.org"  # base URL is 127.0.0.1


def test_identity_settings_set_explicitly_win(app_factory):
    app = app_factory(
        **PRODUCTION,
        ORGANIZER_EMAIL="webinars@omep.example.org",
        ORGANIZER_NAME="OMEP webinars",
        CALENDAR_DOMAIN="calendar.omep.example.org",
    )
    assert app.config["ORGANIZER_EMAIL"] == "webinars@omep.example.org"
    assert app.config["ORGANIZER_NAME"] == "OMEP webinars"
    assert app.config["CALENDAR_DOMAIN"] == "calendar.omep.example.org"


@pytest.mark.parametrize(
    ("settings", "named"),
    [
        ({"MAIL_DEFAULT_SENDER": ("eventsvc", "events@eventsvc.localhost")}, "MAIL_DEFAULT_SENDER"),
        ({"ORGANIZER_EMAIL": "events@eventsvc.localhost"}, "ORGANIZER_EMAIL"),
        ({"CALENDAR_DOMAIN": "eventsvc.localhost"}, "CALENDAR_DOMAIN"),
    ],
)
def test_production_refuses_a_localhost_identity_naming_the_setting(app_factory, settings, named):
    with pytest.raises(InsecureConfiguration, match=named):
        app_factory(**PRODUCTION, **settings)


def test_production_on_default_mail_settings_names_every_placeholder(app_factory):
    with pytest.raises(InsecureConfiguration) as refused:
        app_factory(**PRODUCTION, MAIL_DEFAULT_SENDER=("eventsvc", "events@eventsvc.localhost"))
    for name in ("MAIL_DEFAULT_SENDER", "ORGANIZER_EMAIL", "CALENDAR_DOMAIN"):
        assert name in str(refused.value)


def test_development_keeps_localhost_placeholders(app_factory):
    app = app_factory(MAIL_DEFAULT_SENDER=("eventsvc", "events@eventsvc.localhost"))
    assert app.config["CALENDAR_DOMAIN"] == "eventsvc.localhost"


def test_without_any_sender_the_identity_is_a_placeholder_refused_in_production(app_factory):
    assert app_factory(MAIL_DEFAULT_SENDER=None).config["ORGANIZER_EMAIL"].endswith(".localhost")
    with pytest.raises(InsecureConfiguration, match="MAIL_DEFAULT_SENDER"):
        app_factory(**PRODUCTION, MAIL_DEFAULT_SENDER=None)


def test_production_warns_when_mail_goes_to_files(app_factory, caplog):
    with caplog.at_level(logging.WARNING, logger="eventsvc.security"):
        app_factory(ENV="production", SECRET_KEY="k" * 64, MAIL_SERVER=None)
    warnings = [r.getMessage() for r in caplog.records if "MAIL_SERVER is not set" in r.message]
    assert len(warnings) == 1
    assert "/mail/" in warnings[0] and "personal link" in warnings[0]


def test_production_with_a_mail_server_does_not_warn_about_files(app_factory, caplog):
    with caplog.at_level(logging.WARNING, logger="eventsvc.security"):
        app_factory(ENV="production", SECRET_KEY="k" * 64, MAIL_SERVER="smtp.example.org")
    assert not [r for r in caplog.records if "MAIL_SERVER" in r.getMessage()]


def test_development_does_not_warn_about_files(app_factory, caplog):
    with caplog.at_level(logging.WARNING, logger="eventsvc.security"):
        app_factory(MAIL_SERVER=None)
    assert not [r for r in caplog.records if "MAIL_SERVER" in r.getMessage()]
