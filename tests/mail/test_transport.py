"""What the transport puts on the wire is what smtplib's send_message would: same bytes, same
envelope, and send_message itself for the messages that need more of it."""

import io
from email.generator import BytesGenerator
from email.message import EmailMessage

from sqlalchemy import select

from eventsvc.extensions import db
from eventsvc.mail import messages, transport
from eventsvc.models import MessageKind, OutboxMessage


def flattened(message, generator_class) -> bytes:
    buffer = io.BytesIO()
    generator_class(buffer).flatten(message, linesep="\r\n")
    return buffer.getvalue()


def test_a_built_message_is_flattened_to_the_standard_generators_bytes(
    app, make_event, make_registration
):
    registration = make_registration(make_event(), full_name="Zoë Ngũgĩ", language="fr")
    row = db.session.scalars(
        select(OutboxMessage).where(
            OutboxMessage.registration_id == registration.id,
            OutboxMessage.kind == MessageKind.CONFIRMATION,
        )
    ).one()
    message = messages.build(row)

    ours = flattened(message, transport._Generator)

    assert ours == flattened(message, BytesGenerator)
    assert b"\r\n" in ours and b"\n" not in ours.replace(b"\r\n", b"")


def plain(**headers) -> EmailMessage:
    message = EmailMessage()
    for name, value in headers.items():
        message[name.replace("_", "-")] = value
    message["Subject"] = "Hello"
    message.set_content("Line one\nLine two\n")
    return message


def send_one(message):
    """What the dispatcher does with each message: one session, one send."""
    with transport.open_session() as session:
        return session.send(1, message)


def test_envelope_is_taken_from_from_to_and_cc(smtp_app, smtp):
    message = plain(
        From="Events <events@example.org>", To="Ada <ada@example.org>", Cc="b@example.org"
    )

    result = send_one(message)

    assert result.outcome == transport.Outcome.SENT
    assert smtp.envelopes == [("events@example.org", ["ada@example.org", "b@example.org"])]
    assert smtp.messages[0].get_content().splitlines() == ["Line one", "Line two"]


def test_bcc_goes_to_its_recipient_without_the_header(smtp_app, smtp):
    message = plain(From="events@example.org", To="ada@example.org", Bcc="hidden@example.org")

    send_one(message)

    assert smtp.envelopes == [("events@example.org", ["ada@example.org", "hidden@example.org"])]
    assert "Bcc" not in smtp.messages[0]


def test_bodies_with_any_line_endings_are_flattened_as_the_standard_generator_does():
    message = EmailMessage()
    message["From"] = "events@example.org"
    message.set_payload("one\r\ntwo\rthree\nfour\n\n")

    assert flattened(message, transport._Generator) == flattened(message, BytesGenerator)


def test_the_bytes_flattened_beforehand_are_those_sent_without_them(smtp_app, smtp):
    """The worker flattens where it builds (``wire``) and the session sends those bytes:
    the server gets the same message, envelope included."""
    message = plain(From="Events <events@example.org>", To="Ada <ada@example.org>")
    wire = transport.wire(message)

    with transport.open_session() as session:
        session.send(1, message)
        session.send(2, message, wire)

    assert wire.data == flattened(message, BytesGenerator)
    assert smtp.envelopes[0] == smtp.envelopes[1] == ("events@example.org", ["ada@example.org"])
    assert smtp.messages[0].as_bytes() == smtp.messages[1].as_bytes()


def test_an_address_that_is_not_ascii_is_flattened_only_once_the_server_is_known():
    """SMTPUTF8 changes how the message is flattened, and only the server says if it offers it."""
    assert transport.wire(plain(From="events@example.org", To="zoë@example.org")) is None
    assert transport.wire(plain(From="events@example.org", Bcc="a@example.org")) is None
