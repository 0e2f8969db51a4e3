"""The announcement input: lengths and the sending time, keyed by field."""

from datetime import UTC, datetime, timedelta

import pytest
from flask_babel import force_locale

from eventsvc import clock
from eventsvc.services.inputs.announcement import AnnouncementData, send_at_instant
from eventsvc.services.inputs.base import Errors, InputErrors

TEXTS = {
    "en": {"subject": " Change of room ", "body": "We meet in room 2."},
    "fr": {"subject": "Changement de salle", "body": ""},
}


def test_only_complete_languages_are_kept(app):
    data = AnnouncementData.parse(TEXTS)
    assert data.texts == {"en": {"subject": "Change of room", "body": "We meet in room 2."}}
    assert data.send_at is None


def test_errors_are_keyed_by_field(app):
    texts = {"fr": {"subject": "x" * 201, "body": "y" * 20_001}}
    with pytest.raises(InputErrors) as failure:
        AnnouncementData.parse(texts, send_at=clock.now() - timedelta(minutes=1))
    errors = failure.value.errors
    assert set(errors) == {"subject.fr", "body.fr", "send_at"}
    with force_locale("fr"):
        assert str(errors["send_at"][0]) == (
            "Choisissez un moment à venir, ou envoyez-la maintenant."
        )
        assert str(errors["subject.fr"][0]) == (
            "200 caractères au maximum (ce texte en compte 201)."
        )


def test_a_future_time_is_kept(app):
    later = clock.now() + timedelta(days=1)
    assert AnnouncementData.parse(TEXTS, send_at=later).send_at == later


def test_a_wall_time_the_clocks_skip_is_reported_on_send_at(app):
    errors = Errors()
    skipped = datetime(2027, 3, 28, 2, 30)  # Paris moves from 02:00 to 03:00
    assert send_at_instant(skipped, "Europe/Paris", errors) is None
    assert list(errors.errors) == ["send_at"]
    fine = send_at_instant(datetime(2026, 11, 25, 9, 0), "Europe/Paris", errors)
    assert fine == datetime(2026, 11, 25, 8, 0, tzinfo=UTC)
