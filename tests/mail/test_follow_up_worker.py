"""The follow-up as a message to many (issue 20): one row written by the organiser's request,
expanded by real `flask send-mail` processes. A worker killed with SIGKILL mid-expansion and
mid-batch loses and doubles no recipient: each confirmed registrant has exactly one delivery, of
their variant, and the mail server sees each Message-ID (at most the last outcome group again);
two workers side by side write and send each once.

On SQLite by default; with ``EVENTSVC_TEST_BACKEND=postgresql`` the workers claim with
``FOR UPDATE SKIP LOCKED`` on PostgreSQL.
"""

import os
import signal
from collections import Counter

import pytest
from sqlalchemy import insert, select

from eventsvc.extensions import db
from eventsvc.models import (
    Attendance,
    Broadcast,
    BroadcastStatus,
    MessageKind,
    MessageStatus,
    OutboxMessage,
    RegistrationStatus,
)
from eventsvc.services import follow_ups
from eventsvc.services.inputs.follow_up import FollowUpData
from eventsvc.unit_of_work import unit_of_work
from tests.factories import bulk_registrations
from tests.mail.test_worker import WAIT, start_worker, wait_for, wait_for_leases_to_expire

pytestmark = pytest.mark.slow

TEXTS = {
    locale: {
        "attended": {"subject": "Thanks", "body": "You came."},
        "absent": {"subject": "Missed you", "body": "You did not come."},
    }
    for locale in ("en", "fr")
}


@pytest.fixture
def followed_up(make_event):
    """A follow-up to ``n`` confirmed registrants of an event over (the workers run on the real
    clock: its default time has passed, so it is due now), every third one attended, and two
    cancelled who must get nothing. Returns ``(ids, attended_ids)``."""

    def schedule(n: int) -> tuple[list[int], set[int]]:
        event = make_event(start="2026-03-06T13:30", end="2026-03-06T14:30")
        ids = bulk_registrations(event, n)
        bulk_registrations(event, 2, status=RegistrationStatus.CANCELLED)
        attended = set(ids[::3])
        db.session.execute(
            insert(Attendance),
            [
                {"registration_id": i, "event_id": event.id, "minutes": 50, "attended": True}
                for i in attended
            ],
        )
        db.session.commit()
        data = FollowUpData.parse(TEXTS, attach_certificate=False)
        with unit_of_work():
            follow_ups.save(event, data)
        with unit_of_work():
            scheduled = follow_ups.schedule(event)
        assert (scheduled.attended, scheduled.absent) == (len(attended), n - len(attended))
        assert db.session.scalars(select(OutboxMessage).where(_FOLLOW_UP)).all() == []
        return ids, attended

    return schedule


_FOLLOW_UP = OutboxMessage.kind == MessageKind.FOLLOW_UP


def follow_up_rows() -> list[OutboxMessage]:
    db.session.expire_all()
    return list(db.session.scalars(select(OutboxMessage).where(_FOLLOW_UP)))


def the_broadcast() -> Broadcast:
    db.session.expire_all()
    return db.session.scalar(select(Broadcast).where(Broadcast.kind == MessageKind.FOLLOW_UP))


def assert_each_got_exactly_one(smtp, ids, attended, duplicates_allowed: int) -> None:
    rows = follow_up_rows()
    assert Counter(row.registration_id for row in rows) == Counter(ids)  # one row each
    assert all(row.status == MessageStatus.SENT for row in rows)
    for row in rows:
        expected = "attended" if row.registration_id in attended else "absent"
        assert row.payload["variant"] == expected
    received = Counter(smtp.message_ids())
    assert set(received) == {row.message_id for row in rows}
    assert sum(received.values()) - len(received) <= duplicates_allowed
    assert the_broadcast().status == BroadcastStatus.DONE


def test_worker_killed_mid_expansion_of_a_follow_up_loses_and_doubles_no_recipient(
    smtp, worker_env, followed_up
):
    ids, attended = followed_up(150)
    smtp.delay = 0.02
    env = {**worker_env, "EVENTSVC_MAIL_EXPANSION_CHUNK": "20", "EVENTSVC_MAIL_OUTCOME_GROUP": "2"}
    worker = start_worker(env, "--batch-size", "5", "--interval", "60")
    wait_for(lambda: len(smtp.messages) >= 12, "a few batches to be sent")
    os.kill(worker.pid, signal.SIGKILL)
    worker.wait(timeout=WAIT)

    broadcast = the_broadcast()
    assert broadcast.status == BroadcastStatus.EXPANDING, "killed mid-expansion"
    assert 0 < broadcast.written < len(ids)
    assert any(row.claimed_until is not None for row in follow_up_rows()), "mid-batch"

    smtp.delay = 0
    wait_for_leases_to_expire()
    again = start_worker(env, "--once", "--batch-size", "50")
    _out, err = again.communicate(timeout=WAIT * 4)

    assert again.returncode == 0, err.decode()
    assert_each_got_exactly_one(smtp, ids, attended, duplicates_allowed=2)


def test_two_workers_expand_and_send_one_follow_up_side_by_side(smtp, worker_env, followed_up):
    ids, attended = followed_up(200)
    smtp.delay = 0.005
    env = {**worker_env, "EVENTSVC_MAIL_EXPANSION_CHUNK": "25"}

    workers = [start_worker(env, "--once", "--batch-size", "10") for _ in range(2)]
    outputs = [worker.communicate(timeout=WAIT * 4) for worker in workers]

    assert [worker.returncode for worker in workers] == [0, 0], outputs
    assert_each_got_exactly_one(smtp, ids, attended, duplicates_allowed=0)
