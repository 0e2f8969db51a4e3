import pytest

from eventsvc import create_app
from eventsvc.extensions import db


@pytest.fixture
def app_factory(tmp_path, monkeypatch):
    """Build further apps on the test's instance folder, e.g. outside testing mode."""
    monkeypatch.setenv("EVENTSVC_INSTANCE_PATH", str(tmp_path / "instance"))
    monkeypatch.delenv("EVENTSVC_SECRET_KEY", raising=False)
    monkeypatch.delenv("EVENTSVC_ENV", raising=False)
    built = []

    def factory(**config):
        settings = {
            "SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path / 'factory.sqlite3'}",
            "RATELIMIT_ENABLED": False,
            # A deployment's own sender: production refuses the `.localhost` placeholders.
            "MAIL_DEFAULT_SENDER": ("Events", "events@events.example.org"),
            **config,
        }
        app = create_app(settings)
        built.append(app)
        return app

    yield factory
    for app in built:
        with app.app_context():
            db.engine.dispose()
