"""A new event's notice to subscribers expanded by real `flask send-mail` processes (issue 20): a
worker killed with SIGKILL mid-expansion and mid-batch loses and doubles no subscriber (the
unique key (broadcast, subscription)), the mail server sees each Message-ID (at most the last
outcome group of each connection again). SQLite by default, PostgreSQL with
``EVENTSVC_TEST_BACKEND=postgresql``."""

import pytest

from eventsvc.models import MessageKind
from eventsvc.services import events as event_service
from eventsvc.unit_of_work import unit_of_work
from tests.subscriptions.test_subscription_broadcasts import add_subscribers, interested

pytestmark = pytest.mark.slow


def test_worker_killed_mid_expansion_of_a_notice_loses_and_doubles_no_subscriber(
    broadcast_workers, make_event
):
    ids = add_subscribers(160)
    event = make_event(
        slug="launch",
        status="draft",
        start="2031-03-06T13:30",
        end="2031-03-06T14:30",
        title={"fr": "Lancement", "en": "Launch", "es": "Lanzamiento"},
    )
    with unit_of_work():
        event_service.publish_event(event)
    workers = broadcast_workers(MessageKind.NEW_EVENT_NOTICE)
    workers.kill_mid_expansion_then_finish(len(interested(ids)))
    workers.assert_each_got_exactly_one(
        interested(ids),
        duplicates_allowed=workers.KILLED_OUTCOMES_LOST,
        recipient=lambda row: row.subscription_id,
    )
