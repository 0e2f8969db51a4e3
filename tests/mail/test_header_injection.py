"""What people type cannot reach mail headers or break the invite: line breaks, calendar
separators and non-Latin scripts, posted through the form and read back from a real SMTP server."""

import icalendar

from eventsvc.mail.dispatcher import dispatch_due
from eventsvc.services.inputs.registration import RegistrationInput
from eventsvc.services.registrations import register
from eventsvc.unit_of_work import unit_of_work
from tests.factories import new_registrant_form as registration_form

HOSTILE_NAME = "Awa Diop\r\nBcc: victim@example.org\r\nSubject: Free money"
CALENDAR_TEXT = "Lancement, stratégie; 幼儿教育 — بداية\\n"


def _register(client, event, **fields):
    response = client.post(f"/fr/events/{event.slug}/register", data=registration_form(**fields))
    assert response.status_code == 303


def _calendar(message) -> icalendar.Calendar:
    for part in message.walk():
        if part.get_content_type() == "text/calendar":
            return icalendar.Calendar.from_ical(part.get_payload(decode=True))
    raise AssertionError("no text/calendar part")


def test_line_breaks_in_a_name_cannot_add_recipients_or_headers(smtp_app, smtp, make_event):
    """The form refuses such a name (tests/public/test_address_and_name_rules.py); a name that
    arrives another way still cannot reach the headers."""
    event = make_event()
    with unit_of_work():
        register(
            event, RegistrationInput(full_name=HOSTILE_NAME, email="awa@example.org", language="fr")
        )

    dispatch_due()

    assert [recipients for _, recipients in smtp.envelopes] == [["awa@example.org"]]
    (message,) = smtp.messages
    assert message["Bcc"] is None
    assert "Free money" not in message["Subject"]
    assert [a.addr_spec for a in message["To"].addresses] == ["awa@example.org"]
    assert "\n" not in message["To"].addresses[0].display_name


def test_calendar_text_with_separators_and_other_scripts_reads_back_intact(
    smtp_app, smtp, client, make_event
):
    event = make_event(title={"en": CALENDAR_TEXT, "fr": CALENDAR_TEXT})
    _register(client, event, full_name="Zhāng Wěi, 张伟; ليلى", email="zhang@example.org")

    dispatch_due()

    (message,) = smtp.messages
    (vevent,) = _calendar(message).walk("VEVENT")
    assert str(vevent["SUMMARY"]) == CALENDAR_TEXT
    assert vevent["ATTENDEE"].params["CN"] == "Zhāng Wěi, 张伟; ليلى"
    assert str(vevent["ATTENDEE"]).lower() == "mailto:zhang@example.org"
