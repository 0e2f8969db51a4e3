"""The event input: every problem at once, keyed by field, in the reader's language."""

import pytest
from flask_babel import force_locale

from eventsvc import clock
from eventsvc.services.inputs.base import InputErrors
from eventsvc.services.inputs.event import ValidationFailed, slug_problem, validate
from eventsvc.services.inputs.web import complete_url, is_web_address
from tests.factories import gps_launch_data


def test_errors_are_keyed_by_field(app):
    data = gps_launch_data(
        slug="Not A Slug",
        timezone="Europe/Pariss",
        online_url="javascript:alert(1)",
        capacity=0,
        texts={"en": {"title": "x" * 300}},
    )
    errors = validate(data)
    assert {"slug", "timezone", "online_url", "capacity", "title.en", "summary.fr"} <= set(errors)
    assert str(errors["capacity"][0]) == (
        "The capacity must be a whole number of at least 1, or empty."
    )
    assert str(errors["title.en"][0]) == "At most 200 characters (this text has 300)."


def test_messages_are_in_the_readers_language(app):
    errors = validate(gps_launch_data(slug="Not A Slug", online_url="ftp://example.org"))
    with force_locale("fr"):
        assert str(errors["slug"][0]).startswith("L’identifiant ne peut contenir que")
        assert str(errors["online_url"][0]) == (
            "Le lien de connexion doit être une adresse web commençant par https://."
        )
    with force_locale("en"):
        assert str(errors["online_url"][0]) == (
            "The join link must be a web address starting with https://."
        )


def test_a_valid_event_has_no_errors(app):
    assert validate(gps_launch_data()) == {}


def test_the_end_must_follow_the_start(app):
    errors = validate(gps_launch_data(end=clock.parse_wall("2026-12-06T13:00")))
    assert list(errors) == ["end"]


def test_a_taken_or_reserved_slug_is_refused(app, make_event):
    make_event(slug="gps-ecce-launch")
    assert "already uses" in str(slug_problem("gps-ecce-launch"))
    assert "reserved" in str(slug_problem("new"))
    assert slug_problem("another-one") is None


def test_the_failure_is_an_input_error():
    failure = ValidationFailed({"slug": ["taken"]})
    assert isinstance(failure, InputErrors)
    assert failure.errors == {"slug": ["taken"]}


@pytest.mark.parametrize(
    ("typed", "completed"),
    [
        ("zoom.us/j/123", "https://zoom.us/j/123"),
        ("  https://meet.example.org/x ", "https://meet.example.org/x"),
        ("javascript:alert(1)", "javascript:alert(1)"),
        ("", ""),
    ],
)
def test_addresses_typed_without_a_scheme_are_completed(typed, completed):
    assert complete_url(typed) == completed


@pytest.mark.parametrize(
    ("url", "ok"),
    [
        ("https://omep.org", True),
        ("http://omep.org/fr", True),
        ("javascript:alert(1)", False),
        ("https://", False),
        ("https://omep.org/a b", False),
        ("omep.org", False),
    ],
)
def test_one_rule_for_web_addresses(url, ok):
    assert is_web_address(url) is ok
