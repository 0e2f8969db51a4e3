"""Announcements: written in each language, queued for each recipient, received in theirs."""

from datetime import UTC, datetime

import pytest
from sqlalchemy import select

from eventsvc.extensions import db
from eventsvc.mail.dispatcher import dispatch_due, expand_all
from eventsvc.models import (
    Announcement,
    AuditEntry,
    Broadcast,
    BroadcastStatus,
    MessageKind,
    MessageStatus,
    OutboxMessage,
    RegistrationStatus,
)
from eventsvc.services import DomainError
from eventsvc.services.announcements import recipient_count, send_announcement
from eventsvc.services.privacy import erase_registration
from eventsvc.unit_of_work import unit_of_work

URL = "/organiser/events/gps-launch/announce"
TEXTS = {
    "en": {"subject": "Slides are online", "body": "Dear all,\n\nThe slides are online."},
    "fr": {"subject": "Les diapositives sont en ligne", "body": "Bonjour,\n\nLes diapositives…"},
}


def form_data(texts=TEXTS, include_waitlisted=False, button="confirm_send"):
    data = {button: "1"}
    for locale, text in texts.items():
        data[f"text_{locale}-subject"] = text["subject"]
        data[f"text_{locale}-body"] = text["body"]
    if include_waitlisted:
        data["include_waitlisted"] = "y"
    return data


def announcement_messages() -> list[OutboxMessage]:
    """One row per recipient, once the worker has expanded the announcements that are due."""
    expand_all()
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

    with unit_of_work():
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
    with unit_of_work():
        sent = send_announcement(event, {"fr": TEXTS["fr"], "en": {"subject": " ", "body": ""}})
    assert sent.recipients == 1
    assert set(sent.announcement.texts) == {"fr"}


def test_nobody_to_tell_is_refused(make_event):
    with pytest.raises(DomainError), unit_of_work():
        send_announcement(make_event(), TEXTS)


def test_erased_registrants_receive_nothing(people, event):
    with unit_of_work():
        erase_registration(people["en"])
    assert recipient_count(event) == 1
    with unit_of_work():
        sent = send_announcement(event, TEXTS)
    assert [m.registration_id for m in announcement_messages()] == [people["fr"].id]
    assert sent.recipients == 1


def test_each_recipient_receives_it_in_their_language(smtp_app, smtp, people, event):
    with unit_of_work():
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


MARKDOWN_TEXTS = {
    "en": {
        "subject": "Slides",
        "body": "Dear colleagues,\n\nThe **slides**: https://omep.example.org/slides.pdf",
    },
    "fr": {
        "subject": "Diapositives",
        "body": "Chères et chers collègues,\n\n[Les diapositives](https://omep.example.org/fr.pdf)",
    },
}


def test_the_html_mail_renders_markdown_with_clickable_links_and_no_greeting_of_ours(
    smtp_app, smtp, people, event
):
    with unit_of_work():
        send_announcement(event, MARKDOWN_TEXTS)
    dispatch_due()
    by_address = {m["To"].addresses[0].addr_spec: m for m in smtp.messages}
    english = by_address["john@example.org"]
    html = english.get_body(("html",)).get_content()
    text = english.get_body(("plain",)).get_content()
    assert (
        '<a href="https://omep.example.org/slides.pdf" rel="noopener noreferrer nofollow">' in html
    )
    assert "<strong>slides</strong>" in html
    assert "Hello" not in text and "Hello" not in html
    assert text.startswith("Dear colleagues,")
    french = by_address["amelie@example.org"].get_body(("html",)).get_content()
    assert 'href="https://omep.example.org/fr.pdf"' in french
    assert "Bonjour" not in french


def test_preview_shows_the_rendered_message_in_each_language(signed_in, event):
    page = signed_in.post(URL, data=form_data(texts=MARKDOWN_TEXTS, button="preview"))
    html = page.get_data(as_text=True)
    preview = html[html.index('id="preview-heading"') :]
    assert '<a href="https://omep.example.org/slides.pdf"' in preview
    assert '<a href="https://omep.example.org/fr.pdf"' in preview
    assert 'lang="fr"' in preview and "<strong>slides</strong>" in preview
    assert not announcement_messages()


def test_sending_asks_a_last_confirmation_naming_the_count(signed_in, event):
    page = signed_in.post(URL, data=form_data(button="send"))
    html = page.get_data(as_text=True)
    assert "It goes to 2 people now." in html
    assert "Send to 2 people" in html
    assert not announcement_messages()
    signed_in.post(URL, data=form_data(button="confirm_send"))
    assert len(announcement_messages()) == 2


def test_a_test_goes_to_the_organiser_only_in_each_language(
    smtp_app, smtp, signed_in, organiser_account, event
):
    response = signed_in.post(URL, data=form_data(texts=MARKDOWN_TEXTS, button="test"))
    assert "A test went to olga@example.org in English and French." in response.get_data(
        as_text=True
    )
    assert {m["To"].addresses[0].addr_spec for m in smtp.messages} == {"olga@example.org"}
    assert sorted(str(m["Subject"]) for m in smtp.messages) == [
        "[Essai] Diapositives",
        "[Test] Slides",
    ]
    assert not announcement_messages()
    assert db.session.scalar(select(Announcement)) is None


def test_a_refused_test_says_so_and_keeps_the_draft(
    smtp_app, smtp, signed_in, organiser_account, event
):
    smtp.refuse("olga@example.org")

    response = signed_in.post(URL, data=form_data(texts=MARKDOWN_TEXTS, button="test"))

    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "The test could not be sent:" in html
    assert "550" in html
    assert "Slides" in html  # the draft is still in the form
    assert smtp.messages == []
    assert not announcement_messages()


def test_a_test_with_nothing_written_asks_for_words_first(
    smtp_app, smtp, signed_in, organiser_account, event
):
    empty = {locale: {"subject": "", "body": ""} for locale in TEXTS}

    response = signed_in.post(URL, data=form_data(texts=empty, button="test"))

    assert response.status_code == 200
    assert "Write a subject and a message first." in response.get_data(as_text=True)
    assert smtp.messages == []
    assert not announcement_messages()


def test_a_scheduled_announcement_waits_and_can_be_withdrawn(signed_in, event, frozen_clock):
    data = {**form_data(button="confirm_send"), "send_at": "2026-11-25T09:00"}
    signed_in.post(URL, data=data)
    # One row, whatever the audience: nothing per recipient until it is due.
    (scheduled,) = db.session.scalars(
        select(Broadcast).where(Broadcast.kind == MessageKind.ANNOUNCEMENT)
    ).all()
    # 09:00 in Paris (UTC+1) on 25 November
    assert scheduled.due_at.isoformat() == "2026-11-25T08:00:00+00:00"
    dispatch_due()  # not due yet: nothing goes
    assert announcement_messages() == []

    announcement = db.session.scalar(select(Announcement))
    page = signed_in.get(URL).get_data(as_text=True)
    assert "(scheduled)" in page
    signed_in.post(f"/organiser/events/gps-launch/announcements/{announcement.id}/withdraw")
    db.session.expire_all()
    assert db.session.get(Broadcast, scheduled.id).status == BroadcastStatus.WITHDRAWN
    frozen_clock.set(datetime(2026, 11, 25, 9, tzinfo=UTC))
    assert announcement_messages() == []


def test_a_scheduled_announcement_reaches_those_registered_when_it_was_written(
    signed_in, event, frozen_clock, make_registration
):
    data = {**form_data(button="confirm_send"), "send_at": "2026-11-25T09:00"}
    signed_in.post(URL, data=data)
    make_registration(event, language="en")  # registered after: not among its recipients

    frozen_clock.set(datetime(2026, 11, 25, 9, tzinfo=UTC))
    messages = announcement_messages()

    assert len(messages) == 2
    assert {m.due_at.isoformat() for m in messages} == {"2026-11-25T08:00:00+00:00"}
    assert all(m.status == MessageStatus.PENDING for m in messages)


def test_a_time_in_the_past_is_refused_with_a_message(signed_in, event):
    data = {**form_data(button="confirm_send"), "send_at": "2026-11-01T09:00"}
    page = signed_in.post(URL, data=data)
    assert "Choose a time in the future, or send it now." in page.get_data(as_text=True)
    assert not announcement_messages()


def test_a_past_time_is_shown_beside_the_time_before_the_confirmation(signed_in, event):
    data = {**form_data(button="send"), "send_at": "2026-11-01T09:00"}
    response = signed_in.post(URL, data=data)
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    start = html.index('id="send_at-error"')
    assert (
        "Choose a time in the future, or send it now." in html[start : html.index("</ul>", start)]
    )
    assert 'id="confirm-count"' not in html
    assert not announcement_messages()
