"""The dispatcher against a mail server that fails as real ones do: slow answers, 421/451,
connections dropped before or after the message was kept. Every message is delivered; a
duplicate happens only when the server kept a message whose answer was lost, and it carries the
same Message-ID (the documented unknown-outcome case)."""

import email
import logging
from collections import Counter
from datetime import timedelta
from email.message import EmailMessage

import pytest

from eventsvc.extensions import db
from eventsvc.mail import transport
from eventsvc.mail.dispatcher import dispatch_due
from eventsvc.models import MessageKind, MessageStatus, OutboxMessage
from tests.full_disk import full_tmpfs
from tests.mail.sinks import (
    DROP_AFTER_STORING,
    DROP_BEFORE_STORING,
    outbox_rows,
)

RETRY_DELAYS = [60, 60, 60, 60]


@pytest.fixture
def full_disk(tmp_path):
    yield from full_tmpfs(tmp_path)


@pytest.fixture
def app_config():
    """One connection at a time: these tests pin what one connection does, message by message
    (several at once: test_connections.py)."""
    return {
        "MAIL_CONNECTIONS": 1,
        "MAIL_RETRY_DELAYS": RETRY_DELAYS,
        "MAIL_TIMEOUT": 2,
        "MAIL_DATA_TIMEOUT": 5,
    }


def confirmations():
    return outbox_rows(MessageKind.CONFIRMATION)


def drain(frozen_clock, build, rounds=10):
    """Run the dispatcher until nothing is pending, moving the clock past each retry delay."""
    for _ in range(rounds):
        dispatch_due(build=build)
        if all(row.status != MessageStatus.PENDING for row in confirmations()):
            return
        frozen_clock.advance(timedelta(seconds=max(RETRY_DELAYS)))
    raise AssertionError("messages still pending")


def queue(make_event, make_registration, count):
    event = make_event()
    return [make_registration(event, email=f"p{n}@example.org") for n in range(count)]


def test_a_drop_after_the_server_kept_the_message_is_an_unknown_outcome_sent_again_as_is(
    smtp_app, smtp, make_event, make_registration, frozen_clock, build
):
    queue(make_event, make_registration, 5)
    smtp.faults[3] = DROP_AFTER_STORING

    report = dispatch_due(build=build)

    assert (report.sent, report.retried) == (2, 1)
    rows = confirmations()
    assert [row.attempts for row in rows] == [1, 1, 1, 0, 0]
    assert rows[2].status == MessageStatus.PENDING
    assert "may have arrived" in rows[2].last_error
    assert [row.last_error for row in rows[3:]] == ["", ""]
    drain(frozen_clock, build)
    received = Counter(smtp.message_ids())
    assert set(received) == {row.message_id for row in rows}
    assert received[rows[2].message_id] == 2, "the one documented duplicate, same Message-ID"
    assert sum(received.values()) == 6
    assert all(row.status == MessageStatus.SENT for row in confirmations())


def test_a_drop_before_the_server_kept_the_message_delivers_everything_once(
    smtp_app, smtp, make_event, make_registration, frozen_clock, build
):
    queue(make_event, make_registration, 9)
    smtp.faults.update({3: DROP_BEFORE_STORING, 6: DROP_BEFORE_STORING, 9: DROP_BEFORE_STORING})

    drain(frozen_clock, build)

    rows = confirmations()
    assert Counter(smtp.message_ids()) == Counter(row.message_id for row in rows)
    assert all(row.status == MessageStatus.SENT for row in rows)
    assert sum(row.attempts for row in rows) == 9 + 3, "one attempt more per dropped message"


@pytest.mark.parametrize("code", ["421", "451"])
def test_a_temporary_answer_to_one_message_costs_that_message_one_attempt(
    smtp_app, smtp, make_event, make_registration, frozen_clock, build, code
):
    queue(make_event, make_registration, 4)
    smtp.faults[2] = code

    drain(frozen_clock, build)

    rows = confirmations()
    assert [row.attempts for row in rows] == [1, 2, 1, 1]
    assert Counter(smtp.message_ids()) == Counter(row.message_id for row in rows)


def test_a_server_slower_than_the_command_timeout_to_accept_a_body_gets_each_message_once(
    smtp_app, smtp, make_event, make_registration, frozen_clock, build, app
):
    app.config.update(MAIL_TIMEOUT=0.3, MAIL_DATA_TIMEOUT=5)
    queue(make_event, make_registration, 2)
    smtp.delay = 0.8

    report = dispatch_due(build=build)

    assert report.sent == 2
    assert sorted(Counter(smtp.message_ids()).values()) == [1, 1]


def test_an_answer_slower_than_the_data_timeout_is_an_unknown_outcome(
    smtp_app, smtp, make_event, make_registration, build, app
):
    app.config.update(MAIL_TIMEOUT=2, MAIL_DATA_TIMEOUT=0.3)
    queue(make_event, make_registration, 2)
    smtp.delay = 1

    report = dispatch_due(build=build)

    assert (report.sent, report.retried) == (0, 1)
    first, second = confirmations()
    assert "may have arrived" in first.last_error and first.attempts == 1
    assert (second.attempts, second.last_error) == (0, "")


def test_outcomes_are_written_after_each_group_not_at_the_end_of_the_batch(
    smtp_app, smtp, make_event, make_registration, build, app
):
    """A worker that dies mid-batch leaves at most a group unrecorded."""
    app.config.update(MAIL_OUTCOME_GROUP=2, MAIL_OUTCOME_INTERVAL=600)
    queue(make_event, make_registration, 5)
    seen = []
    original = transport.SMTPSession.send

    def send_and_look(self, key, message, wire=None):
        seen.append(sum(r.status == MessageStatus.SENT for r in _committed_rows()))
        return original(self, key, message, wire)

    transport.SMTPSession.send = send_and_look
    try:
        dispatch_due(batch_size=5, build=build)
    finally:
        transport.SMTPSession.send = original

    assert seen == [0, 0, 2, 2, 4]


def _committed_rows():
    """The rows as another connection sees them."""
    with db.engine.connect() as connection:
        return list(connection.execute(db.select(OutboxMessage)))


def test_worker_log_lines_never_contain_addresses(
    smtp_app, smtp, make_event, make_registration, build, caplog
):
    queue(make_event, make_registration, 2)
    smtp.refuse("p1@example.org")

    def build_failing_for_p0(row):
        if row.registration.email == "p0@example.org":
            raise ValueError(f"cannot build for <{row.registration.email}>")
        return build(row)

    with caplog.at_level(logging.INFO, logger="eventsvc"):
        dispatch_due(build=build_failing_for_p0)

    text = (
        "\n".join(record.getMessage() + (record.exc_text or "") for record in caplog.records)
        + caplog.text
    )
    assert "failed" in text
    assert "@example.org" not in text


def eml_files(folder):
    return sorted(path for path in folder.iterdir() if path.name != "filler")


def test_an_eml_file_is_written_once_for_one_message_even_when_sent_again(app):
    folder = transport.mail_folder()
    message = _message("<one@events.test>")

    with transport.open_session() as session:
        assert session.send(7, message) == transport.SENT
    with transport.open_session() as session:  # the outcome was lost: tried again
        assert session.send(7, message) == transport.SENT

    (written,) = eml_files(folder)
    assert b"Message-ID: <one@events.test>" in written.read_bytes()


def test_eml_files_on_a_full_disk_leave_nothing_half_written(
    app, full_disk, make_event, make_registration, frozen_clock, build
):
    folder = full_disk / "mail"
    folder.mkdir()
    transport.mail_folder().parent.mkdir(parents=True, exist_ok=True)
    transport.mail_folder().symlink_to(folder)
    queue(make_event, make_registration, 2)

    report = dispatch_due(build=build)

    assert report.retried == 1 and report.sent == 0
    assert eml_files(folder) == [], "no empty or partial file, no temporary left"
    (full_disk / "filler").unlink()
    drain(frozen_clock, build)
    files = eml_files(folder)
    assert len(files) == 2
    ids = {email.message_from_bytes(path.read_bytes())["Message-ID"] for path in files}
    assert ids == {row.message_id for row in confirmations()}


def _message(message_id):
    message = EmailMessage()
    message["From"] = "events@events.test"
    message["To"] = "p@example.org"
    message["Subject"] = "Hello"
    message["Message-ID"] = message_id
    message.set_content("Hello")
    return message


def test_an_unexpected_error_while_sending_fails_that_message_and_releases_the_rest(
    smtp_app, smtp, make_event, make_registration, frozen_clock, build
):
    queue(make_event, make_registration, 3)
    buggy_id = confirmations()[1].id
    original = transport.SMTPSession.send

    def send_with_a_bug(self, key, message, wire=None):
        if key == buggy_id:
            raise TypeError("a bug")
        return original(self, key, message, wire)

    transport.SMTPSession.send = send_with_a_bug
    try:
        report = dispatch_due(build=build)
    finally:
        transport.SMTPSession.send = original

    assert (report.sent, report.failed) == (1, 1)
    first, buggy, rest = confirmations()
    assert buggy.status == MessageStatus.FAILED and "TypeError: a bug" in buggy.last_error
    assert (rest.status, rest.attempts, rest.claimed_until) == (MessageStatus.PENDING, 0, None)
    assert dispatch_due(build=build).sent == 1
