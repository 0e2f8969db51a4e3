"""Fixtures of the mail tests: build an outbox message and read it as a recipient would; a sink
that notes each message's connection (``sinks.py``) and a minimal builder for the dispatcher."""

from email.message import EmailMessage

import pytest

from eventsvc.extensions import db
from eventsvc.mail import messages
from eventsvc.models import MessageKind, Registration
from eventsvc.services import outbox
from tests.mail.reading import parse
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
