"""A site served by gunicorn on PostgreSQL (4 workers × 4 threads) or a SQLite file (2 sync
workers), with one event open for registration."""

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

import pytest

from bench.servers import Gunicorn
from eventsvc import clock, create_app
from eventsvc.extensions import db
from eventsvc.models import Event, EventStatus
from tests.load.harness import SECRET_KEY, server_environment
from tests.pg import support

APP = "eventsvc:create_app()"
SERVERS = {"postgresql": {"workers": 4, "threads": 4}, "sqlite": {"workers": 2, "threads": 1}}


@pytest.fixture(
    params=[pytest.param("postgresql", marks=pytest.mark.postgres), "sqlite"],
)
def backend(request):
    return request.param


@pytest.fixture
def database_uri(backend, tmp_path):
    if backend == "sqlite":
        yield f"sqlite:///{tmp_path / 'load.sqlite3'}"
        return
    with support.fresh_schema(support.postgres_uri()) as uri:
        yield uri


@dataclass
class Site:
    backend: str
    env: dict[str, str]
    event: Event
    base_url: str = ""


def _future_event(capacity: int) -> Event:
    """An event a month from the real today: the servers' clocks are not frozen."""
    day = datetime.now(UTC).date() + timedelta(days=30)
    starts = clock.to_instant(datetime(day.year, day.month, day.day, 13, 30), "Europe/Paris")
    event = Event(
        slug="rush",
        timezone="Europe/Paris",
        starts_at=starts,
        ends_at=starts + timedelta(hours=1),
        floor_language="fr",
        interpretation_languages=["en", "fr"],
        online_url="https://meet.example.org/rush",
        capacity=capacity,
        status=EventStatus.PUBLISHED,
    )
    for locale, title in {"en": "The rush", "fr": "La ruée"}.items():
        event.set_content(locale, title=title, summary=title, description=title)
    db.session.add(event)
    db.session.commit()
    return event


@pytest.fixture
def database(backend, database_uri, tmp_path, monkeypatch):
    """The schema and an event of 50 seats, and an app context on them to look at what the
    servers and workers wrote; ``env`` is the environment that points a process at them."""
    instance = tmp_path / "instance"
    monkeypatch.setenv("EVENTSVC_INSTANCE_PATH", str(instance))
    app = create_app(
        {
            "TESTING": True,
            "SQLALCHEMY_DATABASE_URI": database_uri,
            "SECRET_KEY": SECRET_KEY,
            "RATELIMIT_ENABLED": False,
            "CALENDAR_DOMAIN": "events.test",
        }
    )
    with app.app_context():
        db.create_all()
        event = _future_event(capacity=50)
        yield Site(backend, server_environment(instance, database_uri), event)
        db.session.remove()
        db.engine.dispose()


@pytest.fixture
def site(database, tmp_path):
    """``database`` served by gunicorn, several workers, as production runs it."""
    server = Gunicorn(
        APP,
        database.env,
        tmp_path / "gunicorn.log",
        preload=True,
        **SERVERS[database.backend],
    )
    try:
        server.wait_until_ready("/healthz")
        database.base_url = server.base_url
        yield database
    finally:
        server.stop()
