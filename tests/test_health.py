"""``/healthz`` answers from the database, in JSON, and 503 when the database is down."""

import pytest

from eventsvc.extensions import limiter


def test_healthz_reports_ok_when_the_database_answers(client):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.get_json() == {"status": "ok", "database": "ok"}
    assert response.headers["Cache-Control"] == "no-store"


def test_healthz_is_503_when_the_database_is_unreachable(app_factory, tmp_path):
    app = app_factory(SQLALCHEMY_DATABASE_URI=f"sqlite:///{tmp_path / 'missing' / 'db.sqlite3'}")
    response = app.test_client().get("/healthz")
    assert response.status_code == 503
    assert response.get_json() == {"status": "unavailable", "database": "unavailable"}


@pytest.fixture
def default_limits_restored():
    """Default limits stick to the limiter singleton once set: put them back afterwards."""
    saved = list(limiter.limit_manager._default_limits)
    yield
    limiter.limit_manager.set_default_limits(saved)


@pytest.mark.usefixtures("default_limits_restored")
def test_healthz_is_exempt_from_default_rate_limits(app_factory):
    client = app_factory(RATELIMIT_ENABLED=True, RATELIMIT_DEFAULT="2 per minute").test_client()
    statuses = {client.get("/healthz").status_code for _ in range(5)}
    assert statuses == {200}
