"""eventsvc in the benchmark's own process: seeding the database and checking what the servers
wrote."""

import contextlib
import os
from collections.abc import Iterator
from pathlib import Path

from bench.common import (
    SECRET_KEY,
)


@contextlib.contextmanager
def eventsvc_app(instance: Path, database_uri: str, **config) -> Iterator:
    """An eventsvc app on ``database_uri`` with its tables created, inside an app context."""
    previous = os.environ.get("EVENTSVC_INSTANCE_PATH")
    os.environ["EVENTSVC_INSTANCE_PATH"] = str(instance)
    try:
        from eventsvc import create_app
        from eventsvc.extensions import db

        app = create_app(
            {
                "SQLALCHEMY_DATABASE_URI": database_uri,
                "SECRET_KEY": SECRET_KEY,
                "RATELIMIT_ENABLED": False,
                "PUBLIC_BASE_URL": "https://events.example.org",
                "CALENDAR_DOMAIN": "events.example.org",
                **config,
            }
        )
    finally:
        if previous is None:
            os.environ.pop("EVENTSVC_INSTANCE_PATH", None)
        else:
            os.environ["EVENTSVC_INSTANCE_PATH"] = previous
    with app.app_context():
        db.create_all()
        try:
            yield app
        finally:
            db.session.remove()
            db.engine.dispose()


def sqlite_uri(path: Path) -> str:
    return f"sqlite:///{path}"
