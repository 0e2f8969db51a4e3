"""What the transport puts on the wire is what smtplib's send_message would: same bytes, same
envelope, and send_message itself for the messages that need more of it."""

from email.message import EmailMessage

from eventsvc.mail import transport


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
