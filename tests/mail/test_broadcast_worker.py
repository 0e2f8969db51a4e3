"""Real `flask send-mail` processes expanding a message to many (issue 20): killed with SIGKILL
mid-expansion and mid-batch, and two side by side; each recipient gets exactly one delivery
row and the mail server sees each Message-ID (at most the last outcome group of each of the
killed worker's connections again).

On SQLite by default; with ``EVENTSVC_TEST_BACKEND=postgresql`` the workers claim with
``FOR UPDATE SKIP LOCKED`` on PostgreSQL.
"""

import pytest

from eventsvc.models import MessageKind
from eventsvc.services.announcements import send_announcement
from eventsvc.unit_of_work import unit_of_work
from tests.factories import bulk_registrations

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


def test_worker_killed_mid_expansion_and_mid_batch_loses_and_doubles_no_recipient(
    broadcast_workers, announced
):
    ids = announced(200)
    workers = broadcast_workers(MessageKind.ANNOUNCEMENT)
    workers.kill_mid_expansion_then_finish(len(ids))
    workers.assert_each_got_exactly_one(ids, duplicates_allowed=workers.KILLED_OUTCOMES_LOST)


def test_two_workers_expand_and_send_one_broadcast_side_by_side(broadcast_workers, announced):
    ids = announced(300)
    workers = broadcast_workers(MessageKind.ANNOUNCEMENT)
    workers.two_side_by_side()
    workers.assert_each_got_exactly_one(ids, duplicates_allowed=0)
