"""Fixtures for the public site."""

import pytest
from sqlalchemy import func, select

from eventsvc.extensions import db
from eventsvc.models import Registration


@pytest.fixture
def form_data():
    """A valid registration form, with ``overrides`` applied (``None`` removes a field)."""

    def build(**overrides):
        data = {
            "full_name": "Amina Diallo",
            "email": "amina@example.org",
            "organisation": "OMEP Sénégal",
            "country": "SN",
            "language": "fr",
            "interpretation_language": "floor",
            "question_for_speakers": "",
            "consent": "y",
            "website": "",
        }
        data.update(overrides)
        return {key: value for key, value in data.items() if value is not None}

    return build


@pytest.fixture
def count_registrations(app):
    def count(event=None) -> int:
        query = select(func.count(Registration.id))
        if event is not None:
            query = query.where(Registration.event_id == event.id)
        return db.session.scalar(query)

    return count
