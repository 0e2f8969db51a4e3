"""Rushes over real HTTP against several gunicorn workers: capacity holds, every message goes
out exactly once, cancellations promote exactly as many people as left."""

import re
import time
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager, nullcontext

import pytest
from sqlalchemy import func, select, text

from eventsvc.extensions import db
from eventsvc.models import (
    MessageKind,
    MessageStatus,
    OutboxMessage,
    Registration,
    RegistrationStatus,
)
from eventsvc.services import tokens
from eventsvc.services.inputs.registration import RegistrationInput
from eventsvc.services.registrations import register
from eventsvc.unit_of_work import unit_of_work
from testkit.harness import Visitor, registration_form, send_mail_once

pytestmark = pytest.mark.slow

CLIENT_THREADS = 50
SENT_LINE = re.compile(r"send-mail: (\d+) sent")


def _in_parallel(function, items):
    with ThreadPoolExecutor(max_workers=CLIENT_THREADS) as pool:
        return list(pool.map(function, items))


def _registration_statuses(event_id) -> Counter:
    rows = db.session.execute(
        select(Registration.status, func.count())
        .where(Registration.event_id == event_id)
        .group_by(Registration.status)
    )
    return Counter(dict(rows.all()))


def _messages_per_registration(kind) -> Counter:
    """How many messages of ``kind`` each registration has (cancelled ones left out)."""
    rows = db.session.execute(
        select(OutboxMessage.registration_id, func.count())
        .where(OutboxMessage.kind == kind, OutboxMessage.status != MessageStatus.CANCELLED)
        .group_by(OutboxMessage.registration_id)
    )
    return Counter(dict(rows.all()))


def _registration_ids(status) -> set[int]:
    return set(db.session.scalars(select(Registration.id).where(Registration.status == status)))


def _deliver_with_two_workers(site, smtp) -> list[int]:
    """Two ``flask send-mail --once`` workers on the same queue; how many each sent.

    On PostgreSQL the outbox table is locked until both workers wait on it, so that they claim
    side by side rather than one after the other.
    """
    with _outbox_held_until_two_waiters() if site.backend == "postgresql" else nullcontext():
        workers = [send_mail_once(site.env, smtp.port, batch_size=20) for _ in range(2)]
    sent = []
    for worker in workers:
        output, _ = worker.communicate(timeout=600)
        text = output.decode(errors="replace")
        assert worker.returncode == 0, text
        sent.append(sum(int(n) for n in SENT_LINE.findall(text)))
    db.session.expire_all()
    return sent


@contextmanager
def _outbox_held_until_two_waiters():
    """Hold an EXCLUSIVE lock on the outbox (reads pass, claims wait) until two sessions wait."""
    with db.engine.connect() as holder, db.engine.connect() as watcher:
        holder.execute(text("LOCK TABLE outbox_message IN EXCLUSIVE MODE"))
        yield
        deadline = time.monotonic() + 120
        while _lock_waiters(watcher) < 2:
            assert time.monotonic() < deadline, "the mail workers never reached the outbox"
            time.sleep(0.1)
        holder.rollback()


def _lock_waiters(connection) -> int:
    """Sessions waiting for a lock now (a fresh transaction each time: pg_stat_activity is
    a snapshot taken once per transaction)."""
    waiting = connection.execute(
        text(
            "SELECT count(*) FROM pg_stat_activity "
            "WHERE datname = current_database() AND wait_event_type = 'Lock'"
        )
    ).scalar()
    connection.rollback()
    return waiting


def _assert_each_due_message_delivered_once(smtp) -> None:
    due = db.session.scalars(
        select(OutboxMessage).where(OutboxMessage.kind != MessageKind.REMINDER)
    ).all()
    statuses = Counter(m.status for m in due)
    assert set(statuses) <= {MessageStatus.SENT, MessageStatus.CANCELLED}, statuses
    sent = {m.message_id: m for m in due if m.status == MessageStatus.SENT}
    received = Counter(message["Message-ID"] for message in smtp.messages)
    assert set(received) == set(sent)
    assert max(received.values()) == 1
    for message in smtp.messages:
        assert (
            message["To"].addresses[0].addr_spec == sent[message["Message-ID"]].registration.email
        )


def _register_many(base_url: str, slug: str, first: int, count: int):
    """One visitor's browser opens the event page, then sends ``count`` registrations."""
    event_page = f"/en/events/{slug}"
    visitor = Visitor(base_url)
    visitor.open(event_page)
    try:
        return [
            visitor.post(f"{event_page}/register", registration_form(n))
            for n in range(first, first + count)
        ]
    finally:
        visitor.close()


def test_rush_of_500_registrations_confirms_50_and_queues_one_message_each(site):
    per_visitor = 500 // CLIENT_THREADS
    base_url, slug = site.base_url, site.event.slug
    batches = _in_parallel(
        lambda k: _register_many(base_url, slug, k * per_visitor, per_visitor),
        range(CLIENT_THREADS),
    )
    answers = [answer for batch in batches for answer in batch]

    assert Counter(answer.status for answer in answers) == {303: 500}
    assert Counter(answer.shown_status for answer in answers) == {
        "confirmed": 50,
        "waitlisted": 450,
    }
    assert _registration_statuses(site.event.id) == {
        RegistrationStatus.CONFIRMED: 50,
        RegistrationStatus.WAITLISTED: 450,
    }
    confirmed = _registration_ids(RegistrationStatus.CONFIRMED)
    waitlisted = _registration_ids(RegistrationStatus.WAITLISTED)
    assert _messages_per_registration(MessageKind.CONFIRMATION) == Counter(
        dict.fromkeys(confirmed, 1)
    )
    assert _messages_per_registration(MessageKind.WAITLISTED) == Counter(
        dict.fromkeys(waitlisted, 1)
    )


def test_two_mail_workers_on_one_queue_send_every_message_once(database, smtp):
    for n in range(200):
        data = RegistrationInput(
            full_name=f"Person {n}", email=f"person{n}@example.org", language="fr"
        )
        with unit_of_work():
            register(database.event, data)

    sent = _deliver_with_two_workers(database, smtp)

    assert len(smtp.messages) == 200
    assert sum(sent) == 200
    if database.backend == "postgresql":
        assert min(sent) > 0, f"one worker sent everything: {sent}"
    _assert_each_due_message_delivered_once(smtp)


def test_simultaneous_cancellations_promote_exactly_as_many_as_cancelled(site):
    people = []
    for n in range(80):
        with unit_of_work():
            people.append(
                register(
                    site.event,
                    RegistrationInput(
                        full_name=f"Person {n}", email=f"person{n}@example.org", language="fr"
                    ),
                ).registration
            )
    confirmed = [p for p in people if p.status == RegistrationStatus.CONFIRMED]
    assert len(confirmed) == 50
    leaving = [tokens.make_token(registration) for registration in confirmed[:20]]
    visitors = [Visitor(site.base_url) for _ in leaving]
    pairs = list(zip(visitors, leaving, strict=True))
    _in_parallel(lambda pair: pair[0].open(f"/fr/registrations/{pair[1]}/cancel"), pairs)

    answers = _in_parallel(
        lambda pair: pair[0].post(f"/fr/registrations/{pair[1]}/cancel", {}), pairs
    )
    for visitor in visitors:
        visitor.close()

    assert Counter(answer.status for answer in answers) == {303: 20}
    db.session.expire_all()
    assert _registration_statuses(site.event.id) == {
        RegistrationStatus.CANCELLED: 20,
        RegistrationStatus.CONFIRMED: 50,
        RegistrationStatus.WAITLISTED: 10,
    }
    promoted = _messages_per_registration(MessageKind.PROMOTED)
    assert sum(promoted.values()) == 20 and set(promoted.values()) == {1}
    first_twenty_waiting = {p.id for p in people[50:70]}
    assert set(promoted) == first_twenty_waiting
    assert sum(_messages_per_registration(MessageKind.REGISTRATION_CANCELLED).values()) == 20
