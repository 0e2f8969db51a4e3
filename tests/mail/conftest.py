"""Fixtures of the mail tests: build an outbox message and read it as a recipient would; a sink
that notes each message's connection (``sinks.py``) and a minimal builder for the dispatcher."""

import email
import email.policy
from email.message import EmailMessage

import pytest
from icalendar import Calendar

from eventsvc.extensions import db
from eventsvc.mail import messages, outbox
from eventsvc.models import MessageKind, Registration
from tests.mail.sinks import ObservingSink, plain_build


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


def parse(raw: bytes) -> EmailMessage:
    return email.message_from_bytes(raw, policy=email.policy.default)


def calendar_part(message: EmailMessage) -> EmailMessage:
    return next(part for part in message.walk() if part.get_content_type() == "text/calendar")


def attachment_part(message: EmailMessage) -> EmailMessage:
    return next(part for part in message.walk() if part.get_content_disposition() == "attachment")


def calendar_of(message: EmailMessage) -> Calendar:
    return Calendar.from_ical(calendar_part(message).get_content())


def vevent_of(message: EmailMessage):
    return calendar_of(message).events[0]


def text_of(message: EmailMessage) -> str:
    return message.get_body(("plain",)).get_content()


def html_of(message: EmailMessage) -> str:
    return message.get_body(("html",)).get_content()


def tree(message: EmailMessage) -> list:
    """The MIME structure as nested lists of content types."""
    if message.is_multipart():
        return [message.get_content_type(), [tree(part) for part in message.iter_parts()]]
    return message.get_content_type()
