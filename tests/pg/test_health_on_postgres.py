"""``/healthz`` on PostgreSQL: up when the server answers, 503 when it does not."""

from sqlalchemy import make_url

from eventsvc import create_app
from eventsvc.extensions import db


def test_healthz_is_ok_on_postgres(client):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.get_json()["database"] == "ok"


def test_healthz_is_503_when_postgres_does_not_answer(app, pg_uri):
    unreachable = make_url(pg_uri).set(port=1).render_as_string(hide_password=False)
    down = create_app({"TESTING": True, "SQLALCHEMY_DATABASE_URI": unreachable})
    response = down.test_client().get("/healthz")
    assert response.status_code == 503
    assert response.get_json() == {"status": "unavailable", "database": "unavailable"}
    with down.app_context():
        db.engine.dispose()
