"""`flask send-mail --once` in-process: drains the queue, logs each batch, exits 0."""

import logging
from collections import Counter
from email import message_from_bytes, policy
from pathlib import Path

import pytest

from eventsvc.mail import worker
from eventsvc.models import MessageKind, MessageStatus
from tests.mail.sinks import outbox_rows


@pytest.fixture
def app_config():
    return {"MAIL_RETRY_DELAYS": [60, 300]}


@pytest.fixture
def batch_lines(caplog):
    caplog.set_level(logging.INFO, logger="eventsvc.mail")

    def lines():
        return [r.getMessage() for r in caplog.records if r.getMessage().startswith("batch:")]

    return lines


def test_send_mail_once_drains_the_queue_and_exits_zero(
    smtp_app, smtp, runner, make_event, make_registration, batch_lines
):
    event = make_event()
    people = [make_registration(event) for _ in range(3)]

    result = runner.invoke(args=["send-mail", "--once"])

    assert result.exit_code == 0, result.output
    assert batch_lines() == ["batch: 3 sent, 0 retried, 0 failed, 0 left"]
    rows = outbox_rows(MessageKind.CONFIRMATION)
    assert all(row.status == MessageStatus.SENT for row in rows)
    assert Counter(smtp.message_ids()) == Counter(row.message_id for row in rows)
    for person in people:
        (received,) = smtp.to(person.email)
        assert {part.get_content_type() for part in received.walk()} >= {
            "text/plain",
            "text/html",
            "text/calendar",
        }


def test_send_mail_logs_one_line_per_batch(
    smtp_app, smtp, runner, make_event, make_registration, batch_lines
):
    event = make_event()
    for _ in range(5):
        make_registration(event)

    result = runner.invoke(args=["send-mail", "--once", "--batch-size", "2"])

    assert result.exit_code == 0, result.output
    assert batch_lines() == [
        "batch: 2 sent, 0 retried, 0 failed, 3 left",
        "batch: 2 sent, 0 retried, 0 failed, 1 left",
        "batch: 1 sent, 0 retried, 0 failed, 0 left",
    ]
    assert smtp.connections == 3


def test_send_mail_once_with_the_server_down_keeps_the_mail_and_exits_zero(
    smtp_app, smtp, runner, make_event, make_registration, batch_lines
):
    smtp.stop()
    make_registration(make_event())

    result = runner.invoke(args=["send-mail", "--once"])

    assert result.exit_code == 0, result.output
    assert batch_lines() == ["batch: 0 sent, 1 retried, 0 failed, 0 left"]
    (row,) = outbox_rows(MessageKind.CONFIRMATION)
    assert row.status == MessageStatus.PENDING and row.attempts == 1


def test_send_mail_shows_a_progress_bar_in_a_terminal_on_a_large_queue(
    smtp_app, smtp, runner, make_event, make_registration, monkeypatch, batch_lines
):
    monkeypatch.setattr(worker, "in_terminal", lambda: True)
    event = make_event()
    for _ in range(5):
        make_registration(event)

    result = runner.invoke(args=["send-mail", "--once", "--batch-size", "2"])

    assert result.exit_code == 0, result.output
    assert "Sending mail" in result.output
    assert batch_lines() == []
    assert len(smtp.messages) == 5


def test_send_mail_refuses_a_batch_size_below_one(app, runner):
    result = runner.invoke(args=["send-mail", "--once", "--batch-size", "0"])

    assert result.exit_code == 2


def test_without_mail_server_send_mail_writes_eml_files_a_mail_client_can_open(
    app, runner, make_event, make_registration
):
    person = make_registration(make_event(), email="amina@example.org")

    result = runner.invoke(args=["send-mail", "--once"])

    assert result.exit_code == 0, result.output
    (row,) = outbox_rows(MessageKind.CONFIRMATION)
    path = Path(app.instance_path, "mail", f"20261122T100000Z-{row.id}.eml")
    parsed = message_from_bytes(path.read_bytes(), policy=policy.default)
    assert parsed["To"].addresses[0].addr_spec == person.email
    assert parsed["Message-ID"] == row.message_id
    calendar = next(p for p in parsed.walk() if p.get_content_type() == "text/calendar")
    assert calendar.get_param("method") == "REQUEST"
    assert row.status == MessageStatus.SENT
