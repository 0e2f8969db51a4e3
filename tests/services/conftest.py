"""Fixtures for the events area: event data as the organiser form or the importer builds it."""

from dataclasses import replace

import pytest

from eventsvc import clock
from eventsvc.models import EventStatus
from eventsvc.services.events import EventData


def gps_launch_data(**changes) -> EventData:
    """The GPS launch as an organiser would type it, published, both locales complete."""
    data = EventData(
        slug="gps-ecce-launch",
        timezone="Europe/Paris",
        start=clock.parse_wall("2026-12-06T13:30"),
        end=clock.parse_wall("2026-12-06T14:30"),
        texts={
            "en": {
                "title": "Launch of the Global Partnership Strategy",
                "summary": "An online launch with UNESCO and ECDAN.",
                "description": "Five strategies.",
            },
            "fr": {
                "title": "Lancement de la Stratégie de partenariat mondial",
                "summary": "Un lancement en ligne avec l’UNESCO et l’ECDAN.",
                "description": "Cinq stratégies.",
            },
        },
        floor_language="fr",
        interpretation_languages=["en", "fr"],
        online_url="https://meet.example.org/gps-launch",
        capacity=None,
        registration_closes=clock.parse_wall("2026-12-06T13:00"),
        partners=[],
        status=EventStatus.PUBLISHED,
    )
    return replace(data, **changes)


@pytest.fixture
def event_data():
    return gps_launch_data
