"""For the dispatcher tests: a sink that remembers which connection each message came on, or
is slow, a minimal message builder, and helpers to read the outbox."""

import asyncio
import threading
from email.message import EmailMessage
from email.utils import formatdate

from sqlalchemy import select

from eventsvc.extensions import db
from eventsvc.models import MessageKind, OutboxMessage
from tests.smtp_sink import SMTPSink, _Handler


class _ObservingHandler(_Handler):
    async def handle_DATA(self, server, session, envelope):
        with self.sink.lock:
            self.sink.data_commands += 1
            fault = self.sink.faults.pop(self.sink.data_commands, None)
        while self.sink.gate is not None and not self.sink.gate.is_set():
            await asyncio.sleep(0.01)
        if self.sink.delay:
            await asyncio.sleep(self.sink.delay)
        if (
            self.sink.closing_after is not None
            and len(self.sink.messages) >= self.sink.closing_after
        ):
            return "421 4.3.2 Service shutting down"
        if fault == DROP_BEFORE_STORING:
            server.transport.abort()
            return "250 never heard"
        if fault in ("421", "451"):
            return f"{fault} 4.3.0 Try again later"
        with self.sink.lock:
            self.sink.peers.append(session.peer)
        answer = await super().handle_DATA(server, session, envelope)
        if fault == DROP_AFTER_STORING:
            server.transport.abort()
        return answer


#: Faults a sink can play at its n-th DATA command (``sink.faults[n] = ...``): the connection
#: dropped once the body arrived, before or after the message was kept; or a 421/451 answer.
DROP_BEFORE_STORING = "drop before storing"
DROP_AFTER_STORING = "drop after storing"


class ObservingSink(SMTPSink):
    """The shared sink, also noting the client address (one per connection) of each message;
    optionally slow to accept each message, or shutting down after some."""

    def __init__(self, port: int | None = None):
        super().__init__(port)
        self.peers: list[tuple[str, int]] = []
        self.delay = 0.0
        #: Answer 421 (closing) to every message after this many were accepted.
        self.closing_after: int | None = None
        #: What to do at the n-th DATA command (1-based), once each.
        self.faults: dict[int, str] = {}
        self.data_commands = 0
        #: When set to an unset ``threading.Event``, every answer waits until it is set.
        self.gate: threading.Event | None = None

    def start(self) -> "ObservingSink":
        from aiosmtpd.controller import Controller

        self._controller = Controller(_ObservingHandler(self), hostname="127.0.0.1", port=self.port)
        self._controller.start()
        return self

    @property
    def connections(self) -> int:
        return len(set(self.peers))

    def message_ids(self) -> list[str]:
        with self.lock:
            return [message["Message-ID"] for message in self.messages]


def plain_build(row: OutboxMessage) -> EmailMessage:
    """A minimal stand-in for messages.build: the dispatcher's behaviour does not depend on it."""
    message = EmailMessage()
    message["From"] = "OMEP events <events@events.test>"
    message["To"] = row.registration.email
    message["Subject"] = f"{row.kind} #{row.id}"
    message["Date"] = formatdate()
    message["Message-ID"] = row.message_id
    message.set_content(f"{row.kind} for {row.registration.full_name}")
    return message


def outbox_rows(kind: MessageKind | None = None) -> list[OutboxMessage]:
    db.session.expire_all()
    query = select(OutboxMessage).order_by(OutboxMessage.id)
    if kind is not None:
        query = query.where(OutboxMessage.kind == kind)
    return list(db.session.scalars(query))
