"""A worker sends over ``MAIL_CONNECTIONS`` SMTP connections at once, a batch on each: while
one waits for the server's answer, another sends (a relay's answers cost a round trip each).
Nothing is sent twice or lost when one of them breaks."""

import threading
import time
from collections import Counter

import pytest

from eventsvc.mail.dispatcher import dispatch_due
from eventsvc.models import MessageKind, MessageStatus
from tests.mail.sinks import DROP_BEFORE_STORING, outbox_rows

SAFETY_SECONDS = 10


@pytest.fixture
def app_config():
    return {"MAIL_RETRY_DELAYS": [0, 0, 0], "MAIL_LEASE_SECONDS": 300}


def confirmations():
    return outbox_rows(MessageKind.CONFIRMATION)


def _hold_answers_until_two_messages_arrived(smtp, safety: float) -> dict:
    """The server holds every answer until it has received two messages' bodies, or until
    ``safety`` seconds have passed; the returned dict says which opened it."""
    smtp.gate = threading.Event()
    opened = {}

    def watch():
        deadline = time.monotonic() + safety
        while time.monotonic() < deadline:
            if smtp.data_commands >= 2:
                opened["by"] = "the second message"
                break
            time.sleep(0.01)
        else:
            opened["by"] = "the safety timer"
        smtp.gate.set()

    threading.Thread(target=watch, daemon=True).start()
    return opened


def test_a_batch_is_sent_while_the_one_before_waits_for_its_answer(
    smtp_app, smtp, make_event, make_registration, build
):
    smtp_app.config["MAIL_CONNECTIONS"] = 2
    event = make_event()
    for n in range(4):
        make_registration(event, email=f"p{n}@example.org")
    opened = _hold_answers_until_two_messages_arrived(smtp, SAFETY_SECONDS)

    report = dispatch_due(batch_size=2, build=build)

    assert opened["by"] == "the second message"
    assert (report.sent, report.batches) == (4, 2)
    assert smtp.connections == 2
    assert [row.status for row in confirmations()] == [MessageStatus.SENT] * 4


def test_one_connection_sends_nothing_while_the_message_before_waits(
    smtp_app, smtp, make_event, make_registration, build
):
    """``MAIL_CONNECTIONS = 1`` keeps the claim order: the second batch waits for the first."""
    smtp_app.config["MAIL_CONNECTIONS"] = 1
    event = make_event()
    people = [make_registration(event, email=f"p{n}@example.org") for n in range(4)]
    opened = _hold_answers_until_two_messages_arrived(smtp, safety=1)

    report = dispatch_due(batch_size=2, build=build)

    assert opened["by"] == "the safety timer"
    assert report.sent == 4
    assert [message["To"] for message in smtp.messages] == [p.email for p in people]


def test_a_lost_connection_ends_the_run_on_every_connection_and_nothing_is_sent_twice(
    smtp_app, smtp, make_event, make_registration, build
):
    """The server accepts one message, then answers 421 (closing) to every other: each
    connection loses its session at its next message, the batches claimed behind them are given
    back untouched, and the next runs send each message once."""
    smtp_app.config["MAIL_CONNECTIONS"] = 2
    event = make_event()
    for n in range(8):
        make_registration(event, email=f"p{n}@example.org")
    smtp.closing_after = 1

    first = dispatch_due(batch_size=2, build=build)

    rows = confirmations()
    refused = [row for row in rows if row.attempts == 1 and row.status == MessageStatus.PENDING]
    untouched = [row for row in rows if row.attempts == 0]
    assert first.sent == 1
    assert 1 <= len(refused) <= 2, "one refusal at most per connection"
    assert all("421" in row.last_error for row in refused)
    assert len(untouched) >= 4, "the third batch given back, the fourth never claimed"
    assert all(row.claimed_until is None for row in untouched)

    smtp.closing_after = None
    while dispatch_due(batch_size=2, build=build).handled:
        pass

    rows = confirmations()
    assert [row.status for row in rows] == [MessageStatus.SENT] * 8
    received = Counter(smtp.message_ids())
    assert set(received) == {row.message_id for row in rows}
    assert set(received.values()) == {1}


def test_a_connection_lost_stops_the_other_after_its_message_in_flight(
    smtp_app, smtp, make_event, make_registration, build
):
    """The first message's connection drops once both connections have a message at the
    server; the other finishes that one and sends nothing more of its batch (five messages),
    whose rest is given back as it was."""
    smtp_app.config["MAIL_CONNECTIONS"] = 2
    event = make_event()
    for n in range(10):
        make_registration(event, email=f"p{n}@example.org")
    smtp.faults[1] = DROP_BEFORE_STORING
    smtp.delay = 0.3  # each answer: the other connection's second is still unanswered at the drop
    opened = _hold_answers_until_two_messages_arrived(smtp, SAFETY_SECONDS)

    first = dispatch_due(batch_size=5, build=build)

    rows = confirmations()
    assert opened["by"] == "the second message"
    assert 1 <= first.sent <= 2, "the other connection's message in flight, one more at most"
    smtp.delay = 0
    assert sum(row.attempts == 0 and row.claimed_until is None for row in rows) >= 7
    while dispatch_due(batch_size=5, build=build).handled:
        pass
    received = Counter(smtp.message_ids())
    assert set(received) == {row.message_id for row in confirmations()}
    assert set(received.values()) == {1}


def test_a_server_down_costs_one_attempt_per_connection_and_loses_nothing(
    smtp_app, smtp, make_event, make_registration, build
):
    """Each connection tries its first message (one attempt counted each), the rest stays
    untouched; once the server is back, each message arrives once."""
    smtp_app.config["MAIL_CONNECTIONS"] = 2
    event = make_event()
    for n in range(6):
        make_registration(event, email=f"p{n}@example.org")
    smtp.stop()

    report = dispatch_due(batch_size=2, build=build)

    tried = [row for row in confirmations() if row.attempts == 1]
    assert report.sent == 0
    assert 1 <= report.retried == len(tried) <= 2
    assert all(row.status == MessageStatus.PENDING for row in confirmations())
    smtp.start()
    while dispatch_due(batch_size=2, build=build).handled:
        pass
    received = Counter(smtp.message_ids())
    assert set(received) == {row.message_id for row in confirmations()}
    assert set(received.values()) == {1}
