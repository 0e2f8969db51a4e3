"""Fixtures of the mail tests: build an outbox message and read it as a recipient would; a sink
that notes each message's connection (``sinks.py``) and a minimal builder for the dispatcher."""

import os
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
