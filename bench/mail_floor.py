"""The stack's floor for mail: the least a personal message costs on eventsvc's own stack.

``python -m bench.mail_floor <port> <sample .eml> <count>``

``bench/mail_baseline.py`` sends one message built beforehand: the issue's yardstick. This
answers the question its ratio leaves open: how much of the worker's cost is the stack it is
required to use, whatever the design? Each message here is what any app on Flask-Mail and
icalendar must build for a registrant when it is sent, and nothing else:

- the text and HTML bodies of the sample, rendered once, with the registrant's name and personal
  link put in (what eventsvc's body cache does; no template is rendered per message);
- the registrant's invite: the sample's ``VCALENDAR`` with their ``ATTENDEE`` and ``DTSTAMP``,
  serialised by icalendar;
- a ``flask_mail.Message`` with the HTML and the invite as alternatives and the invite attached,
  flattened and sent over one connection by Flask-Mail (``Connection.send``), as its
  documentation shows.

No database, no outbox, no claims, leases or outcomes, no per-language rendering: what eventsvc
spends beyond this is its design. The rate is measured on the same SMTP server as the others.
"""

import sys
from email import message_from_binary_file, policy

from flask import Flask
from flask_mail import Attachment, Mail, Message
from icalendar import Calendar, vCalAddress, vText

SENDER = ("Events", "events@events.example.org")


def _sample_parts(path: str) -> tuple[str, str, Calendar]:
    """The sample's text, HTML and calendar, read once."""
    with open(path, "rb") as handle:
        sample = message_from_binary_file(handle, policy=policy.default)
    text = sample.get_body(("plain",)).get_content()
    html = sample.get_body(("html",)).get_content()
    calendar = next(
        part for part in sample.walk() if part.get_content_type() == "text/calendar"
    ).get_content()
    return text, html, Calendar.from_ical(calendar)


def _invite(calendar: Calendar, name: str, address: str, stamp) -> bytes:
    event = calendar.walk("VEVENT")[0]
    attendee = vCalAddress(f"mailto:{address}")
    attendee.params.update(
        {"CN": vText(name), "ROLE": "REQ-PARTICIPANT", "PARTSTAT": "ACCEPTED", "RSVP": "FALSE"}
    )
    event["ATTENDEE"] = attendee
    event["DTSTAMP"] = stamp
    return calendar.to_ical()


def main() -> None:
    port, path, count = int(sys.argv[1]), sys.argv[2], int(sys.argv[3])
    app = Flask(__name__)
    app.config.update(MAIL_SERVER="127.0.0.1", MAIL_PORT=port, MAIL_DEFAULT_SENDER=SENDER)
    mail = Mail(app)
    text, html, calendar = _sample_parts(path)
    stamp = calendar.walk("VEVENT")[0]["DTSTAMP"]
    with app.app_context(), mail.connect() as connection:
        for n in range(count):
            name, address = f"Participant {n}", f"participant{n}@example.org"
            link = f"https://events.example.org/r/{n:08d}"
            invite = _invite(calendar, name, address, stamp).decode()
            message = Message(
                subject="Reminder",
                sender=SENDER,
                recipients=[address],
                body=text.replace("Participant", name).replace("https://", link + "#", 1),
                alts={"html": html.replace("Participant", name), "calendar": invite},
                attachments=[
                    Attachment("invite.ics", "text/calendar", invite.encode(), "attachment")
                ],
            )
            connection.send(message)


if __name__ == "__main__":
    main()
