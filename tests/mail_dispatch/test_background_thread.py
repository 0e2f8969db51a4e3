"""The dispatcher thread of `make run`: sends in the background, starts only where it serves."""

import time

import click
import pytest

from eventsvc import create_app
from eventsvc.extensions import db
from eventsvc.mail import _is_serving_process
from eventsvc.models import MessageKind, MessageStatus
from tests.mail_dispatch.conftest import outbox_rows


@pytest.fixture
def threaded_app(app, smtp):
    """A second app on the same database, not in testing mode, with the thread switched on."""
    config = {
        key: app.config[key]
        for key in (
            "SQLALCHEMY_DATABASE_URI",
            "SECRET_KEY",
            "CALENDAR_DOMAIN",
            "PUBLIC_BASE_URL",
            "MAIL_DEFAULT_SENDER",
            "ORGANIZER_EMAIL",
        )
    }
    config.update(
        MAIL_DISPATCHER_THREAD=True,
        MAIL_DISPATCHER_INTERVAL=0.05,
        MAIL_SERVER="127.0.0.1",
        MAIL_PORT=smtp.port,
    )
    served = create_app(config)
    yield served
    served.extensions["mail_dispatcher"].stop(timeout=30)
    with served.app_context():
        db.engine.dispose()


def test_background_thread_sends_due_mail(app, smtp, make_event, make_registration, threaded_app):
    person = make_registration(make_event())

    deadline = time.monotonic() + 60
    while not smtp.to(person.email) and time.monotonic() < deadline:
        time.sleep(0.02)

    assert smtp.to(person.email)
    threaded_app.extensions["mail_dispatcher"].stop(timeout=30)
    (row,) = outbox_rows(MessageKind.CONFIRMATION)
    assert row.status == MessageStatus.SENT


def test_no_thread_under_tests(app_config, tmp_path):
    testing_app = create_app(
        {
            "TESTING": True,
            "MAIL_DISPATCHER_THREAD": True,
            "SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path / 'x.sqlite3'}",
        }
    )
    assert "mail_dispatcher" not in testing_app.extensions


class _Serving:
    testing = False


@pytest.mark.parametrize(
    ("command", "params", "run_main", "debug", "serves"),
    [
        (None, {}, None, None, True),  # gunicorn or any WSGI server
        ("run", {"reload": None}, None, "0", True),  # flask run, no reloader
        ("run", {"reload": True}, None, None, False),  # the reloader's watching parent
        ("run", {"reload": None}, None, "1", False),  # --debug implies the reloader
        ("run", {"reload": True}, "true", None, True),  # the reloader's serving child
        ("send-mail", {}, None, None, False),  # other flask commands
        ("init-db", {}, None, None, False),
    ],
)
def test_thread_runs_only_in_the_serving_process(
    monkeypatch, command, params, run_main, debug, serves
):
    monkeypatch.delenv("WERKZEUG_RUN_MAIN", raising=False)
    monkeypatch.delenv("FLASK_DEBUG", raising=False)
    if run_main:
        monkeypatch.setenv("WERKZEUG_RUN_MAIN", run_main)
    if debug:
        monkeypatch.setenv("FLASK_DEBUG", debug)
    if command is None:
        assert _is_serving_process(_Serving()) is serves
        return
    with click.Context(click.Command(command), info_name=command) as ctx:
        ctx.params.update(params)
        assert _is_serving_process(_Serving()) is serves
