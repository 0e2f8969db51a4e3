"""Addresses that are not ASCII go out with SMTPUTF8 when the server offers it, and are refused
for good (not retried for hours) when it does not."""

from email.header import decode_header, make_header
from email.message import EmailMessage

import pytest
from aiosmtpd.controller import Controller

from eventsvc.mail import transport
from tests.mail.sinks import ObservingSink, _ObservingHandler


class Sink(ObservingSink):
    """The observing sink, offering SMTPUTF8 or not."""

    def __init__(self, smtputf8: bool):
        super().__init__()
        self.smtputf8 = smtputf8

    def start(self) -> "Sink":
        self._controller = Controller(
            _ObservingHandler(self),
            hostname="127.0.0.1",
            port=self.port,
            enable_SMTPUTF8=self.smtputf8,
        )
        self._controller.start()
        return self


@pytest.fixture
def utf8_smtp():
    sink = Sink(smtputf8=True).start()
    yield sink
    sink.stop()


@pytest.fixture
def ascii_smtp():
    sink = Sink(smtputf8=False).start()
    yield sink
    sink.stop()


def message_to(address: str) -> EmailMessage:
    message = EmailMessage()
    message["From"] = "OMEP events <events@events.test>"
    message["To"] = f"José <{address}>"
    message["Subject"] = "Confirmation"
    message["Message-ID"] = "<utf8@events.test>"
    message.set_content("Bonjour José")
    return message


def send_one(message):
    """What the dispatcher does with each message: one session, one send."""
    with transport.open_session() as session:
        return session.send(1, message)


def use(app, sink):
    from eventsvc.extensions import mail

    app.config.update(MAIL_SERVER="127.0.0.1", MAIL_PORT=sink.port)
    mail.init_app(app)


def test_a_non_ascii_address_is_sent_with_smtputf8_when_the_server_offers_it(app, utf8_smtp):
    use(app, utf8_smtp)

    result = send_one(message_to("josé@example.org"))

    assert result == transport.SENT
    assert utf8_smtp.envelopes == [("events@events.test", ["josé@example.org"])]
    (received,) = utf8_smtp.messages
    assert received["Message-ID"] == "<utf8@events.test>"
    raw_to = received["To"].encode("utf-8", "surrogateescape").decode("utf-8")
    assert raw_to == "José <josé@example.org>"  # as is, not encoded-word: SMTPUTF8


def test_a_non_ascii_address_is_refused_for_good_by_a_server_without_smtputf8(app, ascii_smtp):
    use(app, ascii_smtp)

    result = send_one(message_to("josé@example.org"))

    assert result.outcome == transport.Outcome.PERMANENT
    assert "SMTPUTF8" in result.detail
    assert not ascii_smtp.messages


@pytest.mark.parametrize("smtputf8", [True, False])
def test_a_registration_with_a_non_ascii_address_gets_its_confirmation_over_smtputf8(
    app, make_event, make_registration, smtputf8
):
    from eventsvc.mail import messages
    from eventsvc.mail.dispatcher import dispatch_due
    from eventsvc.models import MessageKind, MessageStatus
    from tests.mail.sinks import outbox_rows

    sink = Sink(smtputf8=smtputf8).start()
    try:
        use(app, sink)
        make_registration(make_event(), email="josé@example.org", full_name="José Müller")
        dispatch_due(build=messages.build)
    finally:
        sink.stop()

    (row,) = outbox_rows(MessageKind.CONFIRMATION)
    if not smtputf8:
        assert row.status == MessageStatus.FAILED and "SMTPUTF8" in row.last_error
        assert not sink.messages
        return
    assert row.status == MessageStatus.SENT
    assert sink.envelopes == [("events@events.test", ["josé@example.org"])]
    (received,) = sink.messages
    to = received["To"].encode("utf-8", "surrogateescape").decode("utf-8")
    assert to.endswith("<josé@example.org>")
    assert "Müller" in str(make_header(decode_header(to.rsplit("<", 1)[0])))
    assert received["Message-ID"] == row.message_id
