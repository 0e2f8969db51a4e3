"""Real `flask send-mail` processes expanding a message to many (issue 20): killed with SIGKILL
mid-expansion and mid-batch, and two side by side; each recipient gets exactly one delivery
row and the mail server sees each Message-ID (at most the last outcome group again).

On SQLite by default; with ``EVENTSVC_TEST_BACKEND=postgresql`` the workers claim with
``FOR UPDATE SKIP LOCKED`` on PostgreSQL.
"""

import os
import signal
from collections import Counter

import pytest
from sqlalchemy import select

from eventsvc.extensions import db
from eventsvc.models import Broadcast, BroadcastStatus, MessageKind, MessageStatus, OutboxMessage
from eventsvc.services.announcements import send_announcement
from eventsvc.unit_of_work import unit_of_work
from tests.factories import bulk_registrations
from tests.mail.test_worker import (
    WAIT,
    start_worker,
    wait_for,
    wait_for_leases_to_expire,
)

pytestmark = pytest.mark.slow

TEXTS = {locale: {"subject": "News", "body": "Hello."} for locale in ("en", "fr")}


@pytest.fixture
def announced(make_event):
    """An announcement to ``n`` registrants, due now (the workers run on the real clock, the
    event lies years ahead); returns the registration ids."""

    def announce(n: int) -> list[int]:
        event = make_event(start="2031-03-06T13:30", end="2031-03-06T14:30")
        ids = bulk_registrations(event, n)
        with unit_of_work():
            send_announcement(event, TEXTS, send_at=None)
        return ids

    return announce


def announcement_rows() -> list[OutboxMessage]:
    db.session.expire_all()
    return list(
        db.session.scalars(
            select(OutboxMessage)
            .where(OutboxMessage.kind == MessageKind.ANNOUNCEMENT)
            .order_by(OutboxMessage.id)
        )
    )


def the_broadcast() -> Broadcast:
    db.session.expire_all()
    return db.session.scalar(select(Broadcast).where(Broadcast.kind == MessageKind.ANNOUNCEMENT))


def assert_each_got_exactly_one(smtp, ids: list[int], duplicates_allowed: int) -> None:
    rows = announcement_rows()
    assert Counter(row.registration_id for row in rows) == Counter(ids)  # one row each
    assert all(row.status == MessageStatus.SENT for row in rows)
    received = Counter(smtp.message_ids())
    assert set(received) == {row.message_id for row in rows}
    assert sum(received.values()) - len(received) <= duplicates_allowed
    assert the_broadcast().status == BroadcastStatus.DONE


def test_worker_killed_mid_expansion_and_mid_batch_loses_and_doubles_no_recipient(
    smtp, worker_env, announced
):
    ids = announced(200)
    smtp.delay = 0.02
    env = {**worker_env, "EVENTSVC_MAIL_EXPANSION_CHUNK": "20", "EVENTSVC_MAIL_OUTCOME_GROUP": "2"}
    worker = start_worker(env, "--batch-size", "5", "--interval", "60")
    wait_for(lambda: len(smtp.messages) >= 12, "a few batches to be sent")
    os.kill(worker.pid, signal.SIGKILL)
    worker.wait(timeout=WAIT)

    broadcast = the_broadcast()
    assert broadcast.status == BroadcastStatus.EXPANDING, "killed mid-expansion"
    assert 0 < broadcast.written < len(ids)
    assert any(row.claimed_until is not None for row in announcement_rows()), "mid-batch"

    smtp.delay = 0
    wait_for_leases_to_expire()
    again = start_worker(env, "--once", "--batch-size", "50")
    _out, err = again.communicate(timeout=WAIT * 4)  # a busy host builds 50 mails slowly

    assert again.returncode == 0, err.decode()
    assert_each_got_exactly_one(smtp, ids, duplicates_allowed=2)


def test_two_workers_expand_and_send_one_broadcast_side_by_side(smtp, worker_env, announced):
    ids = announced(300)
    smtp.delay = 0.005
    env = {**worker_env, "EVENTSVC_MAIL_EXPANSION_CHUNK": "25"}

    workers = [start_worker(env, "--once", "--batch-size", "10") for _ in range(2)]
    outputs = [worker.communicate(timeout=WAIT * 4) for worker in workers]

    assert [worker.returncode for worker in workers] == [0, 0], outputs
    assert_each_got_exactly_one(smtp, ids, duplicates_allowed=0)
