"""The dispatcher against a real SMTP server on loopback: batches, retries, failures, leases."""

import threading
import time
from collections import Counter
from datetime import timedelta
from email import message_from_bytes, policy
from pathlib import Path

import pytest
from sqlalchemy import select

from eventsvc import clock
from eventsvc.extensions import db
from eventsvc.mail.dispatcher import claim, dispatch_due
from eventsvc.models import Broadcast, BroadcastStatus, MessageKind, MessageStatus
from eventsvc.services import broadcasts
from tests.mail.sinks import outbox_rows

RETRY_DELAYS = [60, 300, 900]


@pytest.fixture
def app_config():
    """One connection at a time: these tests pin what one connection does, message by message
    (several at once: test_connections.py)."""
    return {"MAIL_CONNECTIONS": 1, "MAIL_RETRY_DELAYS": RETRY_DELAYS, "MAIL_LEASE_SECONDS": 300}


def confirmations():
    return outbox_rows(MessageKind.CONFIRMATION)


def test_dispatch_sends_each_due_message_once_and_marks_it_sent(
    smtp_app, smtp, make_event, make_registration, build
):
    event = make_event()
    people = [make_registration(event, email=f"p{n}@example.org") for n in range(3)]

    report = dispatch_due(build=build)

    assert (report.sent, report.retried, report.failed) == (3, 0, 0)
    assert sorted(smtp.to(p.email)[0]["To"] for p in people) == sorted(p.email for p in people)
    for row in confirmations():
        assert row.status == MessageStatus.SENT
        assert row.sent_at == clock.now()
        assert row.claimed_until is None
    assert dispatch_due(build=build).sent == 0
    assert len(smtp.messages) == 3


def test_reminders_wait_for_their_due_time(smtp_app, smtp, make_event, make_registration, build):
    event = make_event()
    make_registration(event)
    dispatch_due(build=build)
    assert outbox_rows(MessageKind.REMINDER) == []  # written by the worker when due
    assert len(broadcasts.live(event, (MessageKind.REMINDER,))) == 2

    for offset in (timedelta(days=1), timedelta(minutes=60)):
        clock.freeze(event.starts_at - offset + timedelta(minutes=1))
        assert dispatch_due(build=build).sent == 1

    assert all(row.status == MessageStatus.SENT for row in outbox_rows(MessageKind.REMINDER))


def test_after_an_outage_only_the_latest_overdue_reminder_goes_out(
    smtp_app, smtp, make_event, make_registration, build
):
    event = make_event()
    person = make_registration(event)
    dispatch_due(build=build)

    clock.freeze(event.starts_at - timedelta(minutes=30))
    report = dispatch_due(build=build)

    # The day-before reminder is superseded as a whole: no row is written for it.
    assert (report.sent, report.cancelled) == (1, 0)
    (hour_before,) = outbox_rows(MessageKind.REMINDER)
    assert hour_before.payload == {"offset": 60}
    assert hour_before.status == MessageStatus.SENT
    day_before = db.session.scalar(
        select(Broadcast).where(Broadcast.kind == MessageKind.REMINDER).order_by(Broadcast.due_at)
    )
    assert (day_before.status, day_before.written) == (BroadcastStatus.DONE, 0)
    assert len(smtp.to(person.email)) == 2  # the confirmation and one reminder


def test_a_batch_goes_over_one_connection(smtp_app, smtp, make_event, make_registration, build):
    event = make_event()
    for _ in range(5):
        make_registration(event)

    report = dispatch_due(batch_size=5, build=build)

    assert report.batches == 1
    assert len(smtp.messages) == 5
    assert smtp.connections == 1


def test_the_first_message_is_at_the_server_before_the_last_of_its_batch_is_built(
    smtp_app, smtp, make_event, make_registration, build
):
    """Building and sending overlap: the last message of the batch is built only once the
    first has arrived. Built all before sending, as before, the first would never arrive in
    time (the builder would wait out its 10 s and fail the test)."""
    event = make_event()
    people = [make_registration(event, email=f"p{n}@example.org") for n in range(4)]
    arrived_before_last_built = []

    def build_the_last_after_the_first_arrived(row):
        if row.registration_id == people[-1].id:
            deadline = time.monotonic() + 10
            while not smtp.messages and time.monotonic() < deadline:
                time.sleep(0.01)
            arrived_before_last_built.append(len(smtp.messages))
        return build(row)

    report = dispatch_due(build=build_the_last_after_the_first_arrived)

    assert report.sent == 4
    assert arrived_before_last_built and arrived_before_last_built[0] >= 1
    assert smtp.connections == 1, "still one connection for the batch"


def test_the_next_batch_is_claimed_and_built_while_the_last_one_waits_for_the_server(
    smtp_app, smtp, make_event, make_registration, build
):
    """The server holds its first answer until the fourth message is built: with batches of 2,
    the second batch is claimed and built while the first waits. One after the other, the
    second would be built only once the first was sent (after the 10 s safety opening)."""
    event = make_event()
    for n in range(4):
        make_registration(event, email=f"p{n}@example.org")
    smtp.gate = threading.Event()
    accepted_at_each_build = []

    def build_then_open_at_the_fourth(row):
        accepted_at_each_build.append(len(smtp.messages))
        if len(accepted_at_each_build) == 4:
            smtp.gate.set()
        return build(row)

    safety = threading.Timer(10, smtp.gate.set)
    safety.start()
    try:
        report = dispatch_due(batch_size=2, build=build_then_open_at_the_fourth)
    finally:
        safety.cancel()

    assert accepted_at_each_build == [0, 0, 0, 0]
    assert (report.sent, report.batches) == (4, 2)
    assert smtp.connections == 2, "each batch over its own connection, one after the other"
    assert [row.status for row in confirmations()] == [MessageStatus.SENT] * 4


def test_each_batch_opens_its_own_connection(smtp_app, smtp, make_event, make_registration, build):
    event = make_event()
    for _ in range(5):
        make_registration(event)

    report = dispatch_due(batch_size=2, build=build)

    assert (report.sent, report.batches) == (5, 3)
    assert smtp.connections == 3


def test_limit_stops_after_that_many_messages(smtp_app, smtp, make_event, make_registration, build):
    event = make_event()
    for _ in range(5):
        make_registration(event)

    assert dispatch_due(limit=3, batch_size=2, build=build).sent == 3
    assert dispatch_due(build=build).sent == 2


def test_mail_server_down_then_back_delivers_every_message_exactly_once(
    smtp_app, smtp, make_event, make_registration, frozen_clock, build
):
    """Each run tries one message (it counts the attempt) and leaves the rest as they were."""
    smtp.stop()
    event = make_event()
    people = [make_registration(event) for _ in range(4)]
    assert all(p.status == "confirmed" for p in people)

    for run in range(1, 5):
        report = dispatch_due(build=build)
        assert (report.sent, report.retried) == (0, 1)
        attempts = sorted(row.attempts for row in confirmations())
        assert attempts == [0] * (4 - run) + [1] * run
    for row in confirmations():
        assert row.status == MessageStatus.PENDING
        assert row.due_at == frozen_clock.now + timedelta(seconds=RETRY_DELAYS[0])
        assert "Connection" in row.last_error
        assert row.claimed_until is None
    assert dispatch_due(build=build).handled == 0, "nothing is due before the retry time"

    smtp.start()
    frozen_clock.advance(timedelta(seconds=RETRY_DELAYS[0]))
    assert dispatch_due(build=build).sent == 4
    frozen_clock.advance(timedelta(hours=1))
    dispatch_due(build=build)

    received = Counter(smtp.message_ids())
    assert set(received) == {row.message_id for row in confirmations()}
    assert set(received.values()) == {1}
    assert all(row.status == MessageStatus.SENT for row in confirmations())


def test_a_run_stops_at_the_first_batch_the_server_cannot_take(
    smtp_app, smtp, make_event, make_registration, build
):
    smtp.stop()
    event = make_event()
    for _ in range(5):
        make_registration(event)

    report = dispatch_due(batch_size=2, build=build)

    assert (report.batches, report.retried) == (1, 1)
    untouched = [row for row in confirmations() if row.attempts == 0]
    assert len(untouched) == 4
    for row in untouched:
        assert (row.status, row.last_error, row.claimed_until) == (MessageStatus.PENDING, "", None)


def test_server_closing_mid_batch_counts_one_attempt_and_requeues_the_rest_at_once(
    smtp_app, smtp, make_event, make_registration, frozen_clock, build
):
    event = make_event()
    for _ in range(5):
        make_registration(event)
    smtp.closing_after = 2

    report = dispatch_due(batch_size=5, build=build)

    assert (report.sent, report.retried) == (2, 1)
    (closed,) = [row for row in confirmations() if row.attempts == 1 and row.last_error]
    assert closed.last_error.startswith("421") and closed.status == MessageStatus.PENDING
    untouched = [row for row in confirmations() if row.attempts == 0]
    assert len(untouched) == 2
    assert all(row.due_at <= frozen_clock.now and row.claimed_until is None for row in untouched)
    smtp.closing_after = None
    assert dispatch_due(build=build).sent == 2, "the untouched rest goes at once"
    frozen_clock.advance(timedelta(seconds=RETRY_DELAYS[0]))
    assert dispatch_due(build=build).sent == 1
    assert sorted(Counter(smtp.message_ids()).values()) == [1] * 5


def test_recipient_refused_with_550_fails_that_message_and_the_rest_go_out(
    smtp_app, smtp, make_event, make_registration, build
):
    event = make_event()
    smtp.refuse("gone@example.org")
    before = make_registration(event, email="before@example.org")
    make_registration(event, email="gone@example.org")
    after = make_registration(event, email="after@example.org")

    report = dispatch_due(build=build)

    assert (report.sent, report.failed, report.retried) == (2, 1, 0)
    assert smtp.to(before.email) and smtp.to(after.email)
    assert not smtp.to("gone@example.org")
    refused = next(r for r in confirmations() if r.registration.email == "gone@example.org")
    assert refused.status == MessageStatus.FAILED
    assert refused.last_error.startswith("550")
    assert "Mailbox unavailable" in refused.last_error
    assert smtp.connections == 1


def test_temporary_refusal_is_retried_with_the_same_message_id(
    smtp_app, smtp, make_event, make_registration, frozen_clock, build
):
    event = make_event()
    make_registration(event)
    smtp.temporary_failure = True

    assert dispatch_due(build=build).retried == 1
    (row,) = confirmations()
    assert row.last_error.startswith("451")

    smtp.temporary_failure = False
    frozen_clock.advance(timedelta(seconds=RETRY_DELAYS[0]))
    assert dispatch_due(build=build).sent == 1
    (received,) = smtp.messages
    assert received["Message-ID"] == row.message_id


def test_message_is_failed_after_the_last_retry_and_never_dropped(
    smtp_app, smtp, make_event, make_registration, frozen_clock, build
):
    event = make_event()
    make_registration(event)
    smtp.temporary_failure = True

    for delay in RETRY_DELAYS:
        assert dispatch_due(build=build).retried == 1
        frozen_clock.advance(timedelta(seconds=delay))
    final = dispatch_due(build=build)

    assert final.failed == 1
    (row,) = confirmations()
    assert row.status == MessageStatus.FAILED
    assert row.attempts == len(RETRY_DELAYS) + 1
    assert "451" in row.last_error
    frozen_clock.advance(timedelta(days=1))
    assert dispatch_due(build=build).handled == 0


def test_message_that_cannot_be_built_fails_and_the_batch_goes_on(
    smtp_app, smtp, make_event, make_registration, build
):
    event = make_event()
    good = make_registration(event, email="good@example.org")
    make_registration(event, email="broken@example.org")

    def fragile_build(row):
        if row.registration.email == "broken@example.org":
            raise KeyError("missing template")
        return build(row)

    report = dispatch_due(build=fragile_build)

    assert (report.sent, report.failed) == (1, 1)
    assert smtp.to(good.email)
    broken = next(r for r in confirmations() if r.registration.email == "broken@example.org")
    assert broken.status == MessageStatus.FAILED
    assert "KeyError" in broken.last_error and "missing template" in broken.last_error


def test_message_to_an_erased_registration_is_cancelled(
    smtp_app, smtp, make_event, make_registration, build
):
    event = make_event()
    erased = make_registration(event)
    erased.anonymised_at = clock.now()
    db.session.commit()

    report = dispatch_due(build=build)

    assert (report.sent, report.cancelled) == (0, 1)
    assert not smtp.messages
    (row,) = confirmations()
    assert row.status == MessageStatus.CANCELLED


def test_reminder_whose_event_has_started_is_cancelled(
    smtp_app, smtp, make_event, make_registration, frozen_clock, build
):
    event = make_event()
    make_registration(event)
    dispatch_due(build=build)
    frozen_clock.set(event.starts_at + timedelta(minutes=5))

    report = dispatch_due(build=build)

    assert report.sent == 0
    assert outbox_rows(MessageKind.REMINDER) == []
    assert {b.status for b in db.session.scalars(select(Broadcast))} == {BroadcastStatus.DONE}


def test_claimed_message_waits_for_its_lease_then_is_taken_again(
    smtp_app, smtp, make_event, make_registration, frozen_clock, build
):
    event = make_event()
    make_registration(event)
    assert len(claim(10, "worker-that-dies")) == 1

    assert dispatch_due(build=build).handled == 0
    frozen_clock.advance(timedelta(seconds=299))
    assert dispatch_due(build=build).handled == 0
    frozen_clock.advance(timedelta(seconds=1))
    report = dispatch_due(worker_id="second-worker", build=build)

    assert report.sent == 1
    assert len(smtp.messages) == 1


def test_claim_records_worker_and_lease(app, make_event, make_registration, frozen_clock):
    event = make_event()
    make_registration(event)
    make_registration(event)

    ids = claim(1, "w1")

    (claimed,) = [row for row in confirmations() if row.id in ids]
    assert claimed.claimed_by == "w1"
    assert claimed.claimed_until == frozen_clock.now + timedelta(seconds=300)
    assert claim(5, "w2") != ids
    assert claim(5, "w3") == []


def test_two_workers_in_threads_never_send_a_message_twice(
    smtp_app, smtp, make_event, make_registration, build
):
    event = make_event()
    for _ in range(40):
        make_registration(event)
    smtp.delay = 0.01
    reports = []
    start = threading.Barrier(2)

    def worker(name):
        with smtp_app.app_context():
            start.wait()
            reports.append(dispatch_due(worker_id=name, batch_size=3, build=build))

    threads = [threading.Thread(target=worker, args=(f"w{n}",)) for n in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert sum(r.sent for r in reports) == 40
    received = Counter(smtp.message_ids())
    assert len(received) == 40 and set(received.values()) == {1}
    assert all(r.batches for r in reports), "both workers took part"


def test_without_mail_server_messages_are_written_as_eml_files(
    app, make_event, make_registration, build
):
    event = make_event()
    person = make_registration(event)

    report = dispatch_due(build=build)

    assert report.sent == 1
    (row,) = confirmations()
    files = sorted(Path(app.instance_path, "mail").glob("*.eml"))
    assert [f.name for f in files] == [f"20261122T100000Z-{row.id}.eml"]
    parsed = message_from_bytes(files[0].read_bytes(), policy=policy.default)
    assert parsed["To"] == person.email
    assert parsed["Message-ID"] == row.message_id
    assert row.status == MessageStatus.SENT
