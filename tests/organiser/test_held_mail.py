"""Mail held by the public form's caps is shown on the dashboard, where an organiser sends it
or discards it; either is written to the audit log."""

from datetime import timedelta

import pytest
from bs4 import BeautifulSoup
from sqlalchemy import select

from eventsvc.extensions import db
from eventsvc.mail.dispatcher import dispatch_due, expand_all
from eventsvc.models import AuditEntry, MessageKind, MessageStatus, OutboxMessage
from eventsvc.services.inputs.registration import RegistrationInput
from eventsvc.services.registrations import cancel, register
from eventsvc.unit_of_work import unit_of_work
from tests.factories import sign_in


@pytest.fixture
def app_config():
    return {"MAILBOX_MESSAGES_PER_HOUR": 1}


def _register_from_form(event, email):
    data = RegistrationInput(full_name="Someone", email=email, language="en")
    with unit_of_work():
        return register(event, data, source="192.0.2.10").registration


@pytest.fixture
def held(app, make_event):
    """victim+1@ got its mail; victim+2@ and victim+3@ are held."""
    event = make_event(slug="gps")
    _register_from_form(event, "victim+1@example.org")
    return [_register_from_form(event, f"victim+{n}@example.org") for n in (2, 3)]


def _statuses(registration) -> list[str]:
    return sorted(
        db.session.scalars(
            select(OutboxMessage.status).where(OutboxMessage.registration_id == registration.id)
        )
    )


def _held_rows(page) -> list[str]:
    soup = BeautifulSoup(page.get_data(as_text=True), "html.parser")
    return [row.td.get_text(strip=True) for row in soup.select("table.held tbody tr")]


def test_the_dashboard_lists_held_mail_with_its_count(organiser, held):
    page = organiser.get("/organiser/")
    assert _held_rows(page) == ["victim+2@example.org", "victim+3@example.org"]
    soup = BeautifulSoup(page.get_data(as_text=True), "html.parser")
    # A confirmation each: reminders are the event's, written for them once their mail goes.
    assert soup.select_one("#queue-held").get_text() == "2"


def test_sending_one_registrations_held_mail_delivers_it(
    organiser, held, smtp_app, smtp, organiser_account
):
    second, third = held
    dispatch_due()  # victim+1's confirmation
    smtp.clear()
    answer = organiser.post("/organiser/held-mail/send", data={"registration": second.id})
    assert answer.status_code == 303
    assert _statuses(second) == ["pending"]
    assert _statuses(third) == ["held"]
    dispatch_due()
    assert [rcpts for _sender, rcpts in smtp.envelopes] == [["victim+2@example.org"]]
    assert _held_rows(organiser.get("/organiser/")) == ["victim+3@example.org"]
    entry = db.session.scalar(select(AuditEntry).where(AuditEntry.action == "held_mail_released"))
    assert entry.organiser_id == organiser_account.id
    assert entry.details == {"messages": 1}


def test_discarding_all_held_mail_sends_none_of_it(organiser, held, smtp_app, smtp):
    dispatch_due()  # victim+1's confirmation
    smtp.clear()
    assert organiser.post("/organiser/held-mail/discard", data={"all": "1"}).status_code == 303
    smtp.clear()
    dispatch_due()
    assert smtp.messages == []
    assert all(_statuses(r) == ["cancelled"] for r in held)
    assert _held_rows(organiser.get("/organiser/")) == []


def test_a_reminder_whose_time_passed_while_held_is_dropped_on_release(
    organiser, organiser_account, held, frozen_clock
):
    """Held people are left out of the reminders due while their mail is held; once it is let
    go, the next reminder reaches them."""
    second, third = held
    start = held_event_start(second)
    frozen_clock.set(start - timedelta(hours=23))  # the day-before reminder is due
    expand_all()
    assert MessageKind.REMINDER not in _kinds(second)
    sign_in(organiser, organiser_account.email)  # days on, the first session has ended
    organiser.post("/organiser/held-mail/send", data={"registration": second.id})
    assert _kinds(second) == {MessageKind.CONFIRMATION: MessageStatus.PENDING}

    frozen_clock.set(start - timedelta(minutes=59))  # the hour-before reminder
    expand_all()

    assert _kinds(second)[MessageKind.REMINDER] == MessageStatus.PENDING
    assert MessageKind.REMINDER not in _kinds(third)  # still held: no reminder


def _kinds(registration) -> dict:
    return dict(
        db.session.execute(
            select(OutboxMessage.kind, OutboxMessage.status).where(
                OutboxMessage.registration_id == registration.id
            )
        ).all()
    )


def held_event_start(registration):
    return registration.event.starts_at


def test_cancelling_a_held_registration_withdraws_its_held_mail(held):
    second, _third = held
    with unit_of_work():
        cancel(second)
    assert MessageStatus.HELD not in _statuses(second)
