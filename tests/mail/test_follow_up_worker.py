"""The follow-up as a message to many (issue 20): one row written by the organiser's request,
expanded by real `flask send-mail` processes. A worker killed with SIGKILL mid-expansion and
mid-batch loses and doubles no recipient: each confirmed registrant has exactly one delivery, of
their variant, and the mail server sees each Message-ID (at most the last outcome group of each
connection again); two workers side by side write and send each once.

On SQLite by default; with ``EVENTSVC_TEST_BACKEND=postgresql`` the workers claim with
``FOR UPDATE SKIP LOCKED`` on PostgreSQL.
"""

import pytest
from sqlalchemy import insert, select

from eventsvc.extensions import db
from eventsvc.models import Attendance, MessageKind, OutboxMessage, RegistrationStatus
from eventsvc.services import follow_ups
from eventsvc.services.inputs.follow_up import FollowUpData
from eventsvc.unit_of_work import unit_of_work
from tests.factories import bulk_registrations

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


def assert_each_got_exactly_one(workers, ids, attended, duplicates_allowed: int) -> None:
    """One row each, of their variant; the rest as every broadcast (``BroadcastWorkers``)."""
    for row in workers.assert_each_got_exactly_one(ids, duplicates_allowed):
        expected = "attended" if row.registration_id in attended else "absent"
        assert row.payload["variant"] == expected


def test_worker_killed_mid_expansion_of_a_follow_up_loses_and_doubles_no_recipient(
    broadcast_workers, followed_up
):
    ids, attended = followed_up(150)
    workers = broadcast_workers(MessageKind.FOLLOW_UP)
    workers.kill_mid_expansion_then_finish(len(ids))
    assert_each_got_exactly_one(
        workers, ids, attended, duplicates_allowed=workers.KILLED_OUTCOMES_LOST
    )


def test_two_workers_expand_and_send_one_follow_up_side_by_side(broadcast_workers, followed_up):
    ids, attended = followed_up(200)
    workers = broadcast_workers(MessageKind.FOLLOW_UP)
    workers.two_side_by_side()
    assert_each_got_exactly_one(workers, ids, attended, duplicates_allowed=0)
