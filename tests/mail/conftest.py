"""Fixtures of the mail tests: build an outbox message and read it as a recipient would; a sink
that notes each message's connection (``sinks.py``), a minimal builder for the dispatcher, and
real `flask send-mail` processes expanding a message to many (``broadcast_workers``)."""

import os
import signal
from collections import Counter
from collections.abc import Callable, Iterable
from email.message import EmailMessage

import pytest
from sqlalchemy import select

from eventsvc.extensions import db
from eventsvc.mail import messages
from eventsvc.models import (
    Broadcast,
    BroadcastStatus,
    MessageKind,
    MessageStatus,
    OutboxMessage,
    Registration,
)
from eventsvc.services import outbox
from tests.mail.reading import parse
from tests.mail.sinks import ObservingSink, plain_build
from tests.mail.test_worker import WAIT, start_worker, wait_for, wait_for_leases_to_expire


@pytest.fixture
def built(app):
    """``built(kind, registration, **payload)``: queue a message, build it, parse the bytes."""

    def build(kind: MessageKind, registration: Registration, **payload) -> EmailMessage:
        message = outbox.enqueue(kind, registration, payload=payload)
        db.session.commit()
        return parse(messages.build(message).as_bytes())

    return build


@pytest.fixture
def smtp():
    """The shared sink, also noting each message's connection; slow or failing on demand."""
    sink = ObservingSink().start()
    yield sink
    sink.stop()


@pytest.fixture
def build():
    """A minimal message builder: the dispatcher's behaviour does not depend on the real one."""
    return plain_build


@pytest.fixture
def worker_env(app, smtp):
    """The environment of a real `flask send-mail` process on the test's database and sink."""
    env = dict(os.environ)
    env.update(
        EVENTSVC_INSTANCE_PATH=app.instance_path,
        EVENTSVC_SQLALCHEMY_DATABASE_URI=app.config["SQLALCHEMY_DATABASE_URI"],
        EVENTSVC_SECRET_KEY=app.config["SECRET_KEY"],
        EVENTSVC_MAIL_SERVER="127.0.0.1",
        EVENTSVC_MAIL_PORT=str(smtp.port),
        EVENTSVC_CALENDAR_DOMAIN=app.config["CALENDAR_DOMAIN"],
        EVENTSVC_PUBLIC_BASE_URL=app.config["PUBLIC_BASE_URL"],
        EVENTSVC_MAIL_LEASE_SECONDS="1",
        EVENTSVC_MAIL_RETRY_DELAYS="[1, 1, 1]",
    )
    return env


class BroadcastWorkers:
    """Real `flask send-mail` processes expanding and sending the one broadcast of ``kind`` (issue
    20), and what the broadcast tests check after them: each recipient exactly one row, all sent,
    the mail server seeing each Message-ID (at most the last outcome group of each connection
    again)."""

    def __init__(self, smtp, env: dict, kind: MessageKind):
        self.smtp, self.env, self.kind = smtp, env, kind

    def rows(self) -> list[OutboxMessage]:
        db.session.expire_all()
        return list(
            db.session.scalars(select(OutboxMessage).where(OutboxMessage.kind == self.kind))
        )

    def broadcast(self) -> Broadcast:
        db.session.expire_all()
        return db.session.scalar(select(Broadcast).where(Broadcast.kind == self.kind))

    #: Messages a SIGKILL can leave sent without their outcome, sent again by the next
    #: worker: the outcome group of each connection (:meth:`kill_mid_expansion_then_finish`).
    KILLED_OUTCOMES_LOST = 2 * 2

    def kill_mid_expansion_then_finish(self, recipients: int) -> None:
        """A worker SIGKILLed mid-expansion and mid-batch (checked), then, once its leases have
        expired, another that sends the rest. The worker sends over two connections with
        outcomes written every two messages: the kill loses at most the last two outcomes of
        each (``KILLED_OUTCOMES_LOST``)."""
        self.smtp.delay = 0.02
        env = {
            **self.env,
            "EVENTSVC_MAIL_EXPANSION_CHUNK": "20",
            "EVENTSVC_MAIL_OUTCOME_GROUP": "2",
            "EVENTSVC_MAIL_CONNECTIONS": "2",
        }
        worker = start_worker(env, "--batch-size", "5", "--interval", "60")
        wait_for(lambda: len(self.smtp.messages) >= 12, "a few batches to be sent")
        os.kill(worker.pid, signal.SIGKILL)
        worker.wait(timeout=WAIT)

        broadcast = self.broadcast()
        assert broadcast.status == BroadcastStatus.EXPANDING, "killed mid-expansion"
        assert 0 < broadcast.written < recipients
        assert any(row.claimed_until is not None for row in self.rows()), "mid-batch"

        self.smtp.delay = 0
        wait_for_leases_to_expire()
        again = start_worker(env, "--once", "--batch-size", "50")
        _out, err = again.communicate(timeout=WAIT * 4)  # a busy host builds 50 mails slowly
        assert again.returncode == 0, err.decode()

    def two_side_by_side(self) -> None:
        """Two workers started together, each until nothing is left."""
        self.smtp.delay = 0.005
        env = {**self.env, "EVENTSVC_MAIL_EXPANSION_CHUNK": "25"}
        workers = [start_worker(env, "--once", "--batch-size", "10") for _ in range(2)]
        outputs = [worker.communicate(timeout=WAIT * 4) for worker in workers]
        assert [worker.returncode for worker in workers] == [0, 0], outputs

    def assert_each_got_exactly_one(
        self,
        recipients: Iterable[int],
        duplicates_allowed: int,
        recipient: Callable[[OutboxMessage], int] = lambda row: row.registration_id,
    ) -> list[OutboxMessage]:
        """Returns the rows, for what a test checks further in them."""
        rows = self.rows()
        assert Counter(recipient(row) for row in rows) == Counter(recipients)  # one row each
        assert all(row.status == MessageStatus.SENT for row in rows)
        received = Counter(self.smtp.message_ids())
        assert set(received) == {row.message_id for row in rows}
        assert sum(received.values()) - len(received) <= duplicates_allowed
        assert self.broadcast().status == BroadcastStatus.DONE
        return rows


@pytest.fixture
def broadcast_workers(smtp, worker_env):
    """``broadcast_workers(kind)``: a :class:`BroadcastWorkers` on the test's database and sink."""
    return lambda kind: BroadcastWorkers(smtp, worker_env, kind)
