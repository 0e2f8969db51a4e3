"""A real SMTP server on loopback (aiosmtpd) that keeps what it receives.

It can refuse chosen recipients with a 550, answer 451 to everything for a while, or be stopped
and started again on the same port, so tests exercise the real failure paths of the dispatcher.
"""

import email
import email.policy
import socket
import threading
from email.message import EmailMessage

from aiosmtpd.controller import Controller


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class _Handler:
    def __init__(self, sink: "SMTPSink"):
        self.sink = sink

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        if self.sink.temporary_failure:
            return "451 4.3.0 Try again later"
        if address.lower() in self.sink.refused:
            return "550 5.1.1 Mailbox unavailable"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        message = email.message_from_bytes(envelope.content, policy=email.policy.default)
        with self.sink.lock:
            self.sink.messages.append(message)
            self.sink.envelopes.append((envelope.mail_from, list(envelope.rcpt_tos)))
        return "250 Message accepted for delivery"


class SMTPSink:
    def __init__(self, port: int | None = None):
        self.port = port or free_port()
        self.messages: list[EmailMessage] = []
        self.envelopes: list[tuple[str, list[str]]] = []
        self.refused: set[str] = set()
        self.temporary_failure = False
        self.lock = threading.Lock()
        self._controller: Controller | None = None

    def start(self) -> "SMTPSink":
        self._controller = Controller(_Handler(self), hostname="127.0.0.1", port=self.port)
        self._controller.start()
        return self

    def stop(self) -> None:
        if self._controller is not None:
            self._controller.stop()
            self._controller = None

    def refuse(self, address: str) -> None:
        self.refused.add(address.lower())

    def to(self, address: str) -> list[EmailMessage]:
        """Messages whose envelope names ``address``."""
        with self.lock:
            return [
                message
                for message, (_, rcpts) in zip(self.messages, self.envelopes, strict=True)
                if address.lower() in (r.lower() for r in rcpts)
            ]

    def clear(self) -> None:
        with self.lock:
            self.messages.clear()
            self.envelopes.clear()
