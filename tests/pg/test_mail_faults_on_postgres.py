"""Faults only PostgreSQL shows: connections killed by the server (``pg_terminate_backend``),
and workers whose clocks disagree (leases and due times follow the database's clock)."""

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.pool import NullPool

from eventsvc import clock, create_app
from eventsvc.extensions import db
from eventsvc.mail import transport
from eventsvc.mail.dispatcher import claim, dispatch_due
from eventsvc.models import MessageKind, MessageStatus
from tests.mail.sinks import outbox_rows, plain_build

VICTIM = "eventsvc-victim"


def kill_app_connections(pg_uri: str) -> int:
    """Terminate every connection the app under test holds, as a database restart would."""
    admin = create_engine(pg_uri, poolclass=NullPool)
    with admin.begin() as connection:
        killed = connection.execute(
            text(
                "SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity"
                " WHERE application_name = :name AND pid <> pg_backend_pid()"
            ),
            {"name": VICTIM},
        ).scalar_one()
    admin.dispose()
    return killed


@pytest.fixture
def app_config(app_config):
    """Without pre-ping, so that the code under test meets the dead connections itself."""
    return {
        **app_config,
        "SQLALCHEMY_ENGINE_OPTIONS": {
            "connect_args": {"application_name": VICTIM},
            "pool_pre_ping": False,
        },
        "MAIL_OUTCOME_GROUP": 2,
        "MAIL_OUTCOME_INTERVAL": 600,
    }


def test_outcomes_are_written_when_the_connection_is_killed_mid_batch(
    app, smtp_app, smtp, make_event, make_registration, pg_uri
):
    event = make_event(start="2031-03-06T13:30", end="2031-03-06T14:30")
    for n in range(6):
        make_registration(event, email=f"p{n}@example.org")
    original = transport.SMTPSession.send
    kills = []

    def send_then_kill(self, key, message, wire=None):
        result = original(self, key, message, wire)
        if len(smtp.messages) in (1, 3):
            kills.append(kill_app_connections(pg_uri))
        return result

    transport.SMTPSession.send = send_then_kill
    try:
        report = dispatch_due(build=plain_build)
    finally:
        transport.SMTPSession.send = original

    assert kills and all(kills), "the app's connections were killed"
    assert report.sent == 6
    rows = outbox_rows(MessageKind.CONFIRMATION)
    assert all(row.status == MessageStatus.SENT and row.claimed_by is None for row in rows)
    assert dispatch_due(build=plain_build).handled == 0
    assert len(smtp.messages) == 6 == len(set(m["Message-ID"] for m in smtp.messages))


def test_healthz_answers_ok_after_the_database_dropped_its_pooled_connections(app, client, pg_uri):
    assert client.get("/healthz").status_code == 200
    assert kill_app_connections(pg_uri) >= 1

    assert client.get("/healthz").status_code == 200


def test_pool_pre_ping_is_on_by_default_for_postgresql(pg_uri):
    served = create_app({"TESTING": True, "SQLALCHEMY_DATABASE_URI": pg_uri})
    with served.app_context():
        assert db.engine.pool._pre_ping
        db.engine.dispose()


@pytest.fixture
def real_clock():
    clock.freeze(None)
    yield
    clock.set_skew(timedelta(0))


def test_a_worker_whose_clock_runs_ahead_does_not_take_a_live_lease(
    app, make_event, make_registration, real_clock
):
    make_registration(make_event(start="2031-03-06T13:30", end="2031-03-06T14:30"))
    first = claim(10, "worker-on-time")
    assert first

    clock.set_skew(timedelta(seconds=app.config["MAIL_LEASE_SECONDS"] + 100))
    assert claim(10, "worker-ahead") == []


def test_a_worker_whose_clock_runs_behind_sends_what_is_due_without_delay(
    app, make_event, make_registration, real_clock
):
    make_registration(make_event(start="2031-03-06T13:30", end="2031-03-06T14:30"))
    db.session.commit()

    clock.set_skew(timedelta(seconds=-400))
    assert len(claim(10, "worker-behind")) == 1
    lease_end = db.session.scalar(text("SELECT max(claimed_until) FROM outbox_message"))
    assert lease_end > datetime.now(UTC) + timedelta(seconds=200), "lease from the database clock"
