"""Announcements: written in each language, queued for each recipient, received in theirs."""

import pytest
from sqlalchemy import select

from eventsvc.extensions import db
from eventsvc.mail.dispatcher import dispatch_due
from eventsvc.models import (
    Announcement,
    AuditEntry,
    MessageKind,
    MessageStatus,
    OutboxMessage,
    RegistrationStatus,
)
from eventsvc.services import DomainError
from eventsvc.services.announcements import recipient_count, send_announcement
from eventsvc.services.privacy import erase_registration

URL = "/organiser/events/gps-launch/announce"
TEXTS = {
    "en": {"subject": "Slides are online", "body": "Dear all,\n\nThe slides are online."},
    "fr": {"subject": "Les diapositives sont en ligne", "body": "Bonjour,\n\nLes diapositives…"},
}


def form_data(texts=TEXTS, include_waitlisted=False, button="send"):
    data = {button: "1"}
    for locale, text in texts.items():
        data[f"text_{locale}-subject"] = text["subject"]
        data[f"text_{locale}-body"] = text["body"]
    if include_waitlisted:
        data["include_waitlisted"] = "y"
    return data


def announcement_messages() -> list[OutboxMessage]:
    return list(
        db.session.scalars(
            select(OutboxMessage)
            .where(OutboxMessage.kind == MessageKind.ANNOUNCEMENT)
            .order_by(OutboxMessage.registration_id)
        )
    )


@pytest.fixture
def people(make_event, make_registration):
    event = make_event(slug="gps-launch", capacity=2)
    return {
        "fr": make_registration(event, language="fr", email="amelie@example.org"),
        "en": make_registration(event, language="en", email="john@example.org"),
        "waiting": make_registration(event, language="fr", email="zoe@example.org"),
        "gone": make_registration(event, language="en", email="gone@example.org"),
    }


@pytest.fixture
def event(people):
    from eventsvc.services.registrations import cancel

    cancel(people["gone"])
    assert people["waiting"].status == RegistrationStatus.WAITLISTED
    return people["fr"].event


def test_page_says_how_many_people_will_receive_it(signed_in, event):
    html = signed_in.get(URL).get_data(as_text=True)
    assert "2 people will receive this." in html
    preview = signed_in.post(URL, data=form_data(include_waitlisted=True, button="preview"))
    assert "3 people will receive this." in preview.get_data(as_text=True)
    assert not announcement_messages()


def test_send_queues_one_message_per_confirmed_person(signed_in, organiser_account, people, event):
    response = signed_in.post(URL, data=form_data())
    assert response.status_code == 303
    announcement = db.session.scalar(select(Announcement))
    assert announcement.texts == {
        "en": {"subject": "Slides are online", "body": "Dear all,\n\nThe slides are online."},
        "fr": {
            "subject": "Les diapositives sont en ligne",
            "body": "Bonjour,\n\nLes diapositives…",
        },
    }
    assert announcement.organiser_id == organiser_account.id
    messages = announcement_messages()
    assert [m.registration_id for m in messages] == [people["fr"].id, people["en"].id]
    assert all(m.payload == {"announcement_id": announcement.id} for m in messages)
    assert all(m.status == MessageStatus.PENDING for m in messages)
    entry = db.session.scalar(select(AuditEntry).where(AuditEntry.action == "announcement_sent"))
    assert entry.details["recipients"] == 2
    assert entry.organiser_id == organiser_account.id


def test_waitlisted_people_are_included_on_request(signed_in, people, event):
    signed_in.post(URL, data=form_data(include_waitlisted=True))
    recipients = {m.registration_id for m in announcement_messages()}
    assert recipients == {people["fr"].id, people["en"].id, people["waiting"].id}
    assert db.session.scalar(select(Announcement)).include_waitlisted is True


def test_a_language_the_recipients_read_must_be_written(signed_in, event):
    response = signed_in.post(URL, data=form_data(texts={"fr": TEXTS["fr"]}))
    assert response.status_code == 200
    assert "missing: en" in response.get_data(as_text=True)
    assert not announcement_messages()
    assert db.session.scalar(select(Announcement)) is None


def test_only_the_languages_of_the_recipients_are_needed(make_event, make_registration):
    event = make_event()
    make_registration(event, language="fr")
    sent = send_announcement(event, {"fr": TEXTS["fr"], "en": {"subject": " ", "body": ""}})
    assert sent.recipients == 1
    assert set(sent.announcement.texts) == {"fr"}


def test_nobody_to_tell_is_refused(make_event):
    with pytest.raises(DomainError):
        send_announcement(make_event(), TEXTS)


def test_erased_registrants_receive_nothing(people, event):
    erase_registration(people["en"])
    assert recipient_count(event) == 1
    sent = send_announcement(event, TEXTS)
    assert [m.registration_id for m in announcement_messages()] == [people["fr"].id]
    assert sent.recipients == 1


def test_each_recipient_receives_it_in_their_language(smtp_app, smtp, people, event):
    send_announcement(event, TEXTS, include_waitlisted=True)
    dispatch_due()
    subjects = {
        message["To"].addresses[0].addr_spec: str(message["Subject"])
        for message in smtp.messages
        if "diapositives" in str(message["Subject"]) or "Slides" in str(message["Subject"])
    }
    assert subjects == {
        "amelie@example.org": "Les diapositives sont en ligne",
        "john@example.org": "Slides are online",
        "zoe@example.org": "Les diapositives sont en ligne",
    }
