"""The dispatcher thread of `make run`: sends in the background, starts only where it serves."""

import time

import click
import pytest

from eventsvc import create_app
from eventsvc.extensions import db
from eventsvc.models import MessageKind, MessageStatus
from eventsvc.serving import is_serving_process
from tests.mail.sinks import outbox_rows


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
        assert is_serving_process(_Serving()) is serves
        return
    with click.Context(click.Command(command), info_name=command) as ctx:
        ctx.params.update(params)
        assert is_serving_process(_Serving()) is serves


def test_stopping_the_thread_mid_batch_releases_its_claims_and_a_restart_sends_each_once(
    app, smtp, make_event, make_registration, threaded_app
):
    event = make_event()
    for n in range(8):
        make_registration(event, email=f"p{n}@example.org")
    smtp.delay = 0.2
    deadline = time.monotonic() + 60
    while len(smtp.messages) < 2 and time.monotonic() < deadline:
        time.sleep(0.02)

    threaded_app.extensions["mail_dispatcher"].stop(timeout=10)

    rows = outbox_rows(MessageKind.CONFIRMATION)
    assert all(row.claimed_until is None for row in rows), "no claim left to expire"
    assert any(row.status == MessageStatus.PENDING for row in rows)
    smtp.delay = 0
    from eventsvc.mail.dispatcher import start_background_dispatcher

    restarted = start_background_dispatcher(threaded_app)
    deadline = time.monotonic() + 60
    while len(smtp.messages) < 8 and time.monotonic() < deadline:
        time.sleep(0.02)
    restarted.stop(timeout=10)
    assert sorted(smtp.message_ids()) == sorted(row.message_id for row in rows)


@pytest.mark.parametrize(
    ("command", "run_main", "setting", "starts"),
    [
        ("run", None, None, True),  # flask run / make run: on unless switched off
        (None, "true", None, True),  # the reloader's serving child
        (None, None, None, False),  # gunicorn: `flask send-mail` does the sending
        (None, None, True, True),  # switched on explicitly under any server
        ("run", None, False, False),  # switched off explicitly
    ],
)
def test_thread_is_on_under_flask_run_and_off_under_gunicorn_unless_set(
    monkeypatch, command, run_main, setting, starts
):
    import eventsvc.mail as mail_package

    monkeypatch.delenv("WERKZEUG_RUN_MAIN", raising=False)
    monkeypatch.delenv("FLASK_DEBUG", raising=False)
    if run_main:
        monkeypatch.setenv("WERKZEUG_RUN_MAIN", run_main)
    started = []
    monkeypatch.setattr(
        "eventsvc.mail.dispatcher.start_background_dispatcher", lambda app: started.append(app)
    )

    class Served:
        testing = False
        config = {"MAIL_DISPATCHER_THREAD": setting}

    if command is None:
        mail_package.init_app(Served())
    else:
        with click.Context(click.Command(command), info_name=command) as ctx:
            ctx.params.update({"reload": False})
            mail_package.init_app(Served())
    assert bool(started) is starts
