"""A built message read as a recipient's mail client reads it: parts, texts, the invite."""

import email
import email.policy
from email.message import EmailMessage

from icalendar import Calendar


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
