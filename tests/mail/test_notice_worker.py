"""A new event's notice to subscribers expanded by real `flask send-mail` processes (issue 20): a
worker killed with SIGKILL mid-expansion and mid-batch loses and doubles no subscriber (the
unique key (broadcast, subscription)), the mail server sees each Message-ID (at most the last
outcome group again). SQLite by default, PostgreSQL with ``EVENTSVC_TEST_BACKEND=postgresql``."""

import os
import signal
from collections import Counter

import pytest
from sqlalchemy import select

from eventsvc.extensions import db
from eventsvc.models import Broadcast, BroadcastStatus, MessageKind, MessageStatus, OutboxMessage
from eventsvc.services import events as event_service
from eventsvc.unit_of_work import unit_of_work
from tests.mail.test_worker import WAIT, start_worker, wait_for, wait_for_leases_to_expire
from tests.subscriptions.test_subscription_broadcasts import add_subscribers, interested

pytestmark = pytest.mark.slow

_NOTICE = Broadcast.kind == MessageKind.NEW_EVENT_NOTICE


def notices() -> list[OutboxMessage]:
    db.session.expire_all()
    return list(
        db.session.scalars(
            select(OutboxMessage).where(OutboxMessage.kind == MessageKind.NEW_EVENT_NOTICE)
        )
    )


def test_worker_killed_mid_expansion_of_a_notice_loses_and_doubles_no_subscriber(
    smtp, worker_env, make_event
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
    smtp.delay = 0.02
    env = {**worker_env, "EVENTSVC_MAIL_EXPANSION_CHUNK": "20", "EVENTSVC_MAIL_OUTCOME_GROUP": "2"}
    worker = start_worker(env, "--batch-size", "5", "--interval", "60")
    wait_for(lambda: len(smtp.messages) >= 12, "a few batches to be sent")
    os.kill(worker.pid, signal.SIGKILL)
    worker.wait(timeout=WAIT)

    db.session.expire_all()
    broadcast = db.session.scalar(select(Broadcast).where(_NOTICE))
    assert broadcast.status == BroadcastStatus.EXPANDING, "killed mid-expansion"
    assert 0 < broadcast.written < len(interested(ids))
    assert any(row.claimed_until is not None for row in notices()), "mid-batch"

    smtp.delay = 0
    wait_for_leases_to_expire()
    again = start_worker(env, "--once", "--batch-size", "50")
    _out, err = again.communicate(timeout=WAIT * 4)

    assert again.returncode == 0, err.decode()
    rows = notices()
    assert Counter(row.subscription_id for row in rows) == Counter(interested(ids))
    assert all(row.status == MessageStatus.SENT for row in rows)
    received = Counter(smtp.message_ids())
    assert set(received) == {row.message_id for row in rows}
    assert sum(received.values()) - len(received) <= 2
    db.session.expire_all()
    assert db.session.scalar(select(Broadcast).where(_NOTICE)).status == BroadcastStatus.DONE
