"""What registrants hear when organisers change, cancel or re-open an event, and the choice
the organiser has about it (issue 13, points 9 and 10). Mail is built and parsed."""

import email
import email.policy

from bs4 import BeautifulSoup
from sqlalchemy import select

from eventsvc.extensions import db
from eventsvc.mail import messages
from eventsvc.mail.dispatcher import expand_all
from eventsvc.models import (
    Event,
    EventStatus,
    MessageKind,
    MessageStatus,
    OutboxMessage,
    RegistrationStatus,
)
from eventsvc.services import broadcasts
from tests.organiser.test_events import event_form

EDIT = "/organiser/events/gps-launch/edit"


def edit_form_of(event: Event, **changes) -> dict:
    base = event_form(
        **{
            f"{c.locale}-{name}": getattr(c, name)
            for c in event.contents
            for name in ("title", "summary", "description")
        }
    )
    base.update({"online_url": event.online_url, "capacity": event.capacity or ""})
    base.update(changes)
    return base


def pending(kind: MessageKind) -> list[OutboxMessage]:
    expand_all()  # what the worker writes before sending: one row per recipient
    db.session.expire_all()
    return list(
        db.session.scalars(
            select(OutboxMessage)
            .where(OutboxMessage.kind == kind, OutboxMessage.status == MessageStatus.PENDING)
            .order_by(OutboxMessage.id)
        )
    )


def reminders_planned(event: Event) -> list:
    """The event's reminders still to come: one broadcast per offset, nothing per registrant."""
    db.session.expire_all()
    return broadcasts.live(db.session.get(Event, event.id), (MessageKind.REMINDER,))


def reminded_when_due(frozen_clock, event: Event) -> set[int]:
    """Who the first reminder reaches: the clock moved to its time, the worker's expansion run."""
    first = min(reminders_planned(event), key=lambda broadcast: broadcast.due_at)
    frozen_clock.set(first.due_at)
    return {m.registration_id for m in pending(MessageKind.REMINDER)}


def parsed(message: OutboxMessage):
    raw = messages.build(message).as_bytes()
    return email.message_from_bytes(raw, policy=email.policy.default)


def text_of(mail) -> str:
    return mail.get_body(("plain",)).get_content()


def has_calendar(mail) -> bool:
    return any(part.get_content_type() == "text/calendar" for part in mail.walk())


def test_a_title_change_is_not_mailed_by_default_and_can_be_saved_silently(
    organiser, make_event, make_registration
):
    event = make_event(slug="gps-launch")
    make_registration(event, language="en")
    form = edit_form_of(event, **{"en-title": "Launch of the GPS, new"})

    page = organiser.post(EDIT, data=form)
    assert "Tell 1 registrant by email" in page.text
    assert 'aria-describedby="notify-hint">' in page.text  # not ticked for a title

    organiser.post(EDIT, data={**form, "confirmed": "1"})
    assert pending(MessageKind.EVENT_UPDATED) == []
    db.session.expire_all()
    assert db.session.get(Event, event.id).content("en").title == "Launch of the GPS, new"


def test_a_new_english_title_is_not_announced_to_french_readers(
    organiser, make_event, make_registration
):
    event = make_event(slug="gps-launch")
    english = make_registration(event, language="en")
    make_registration(event, language="fr")
    form = edit_form_of(event, **{"en-title": "Launch of the GPS, new"})

    organiser.post(EDIT, data={**form, "confirmed": "1", "notify": "1"})

    updates = pending(MessageKind.EVENT_UPDATED)
    assert [m.registration_id for m in updates] == [english.id]
    assert "The event has a new title: “Launch of the GPS, new”." in text_of(parsed(updates[0]))


def test_a_french_title_notice_quotes_the_new_french_title(
    organiser, make_event, make_registration
):
    event = make_event(slug="gps-launch")
    make_registration(event, language="fr")
    form = edit_form_of(event, **{"fr-title": "Lancement de la SPM"})

    organiser.post(EDIT, data={**form, "confirmed": "1", "notify": "1"})

    (update,) = pending(MessageKind.EVENT_UPDATED)
    text = text_of(parsed(update))
    new_title_line = next(line for line in text.splitlines() if "nouveau titre" in line)
    assert "«\xa0Lancement de la SPM\xa0»" in new_title_line


def test_a_new_time_reaches_the_waitlist_without_an_invite(
    organiser, make_event, make_registration
):
    event = make_event(slug="gps-launch", capacity=1)
    confirmed = make_registration(event, language="en")
    waiting = make_registration(event, language="en")
    assert waiting.status == RegistrationStatus.WAITLISTED
    form = edit_form_of(event, start="2026-12-06T15:00", end="2026-12-06T16:00")

    page = organiser.post(EDIT, data=form)
    assert "Tell the 2 registrants by email" in page.text
    organiser.post(EDIT, data={**form, "confirmed": "1", "notify": "1"})

    mails = {m.registration_id: parsed(m) for m in pending(MessageKind.EVENT_UPDATED)}
    assert set(mails) == {confirmed.id, waiting.id}
    assert has_calendar(mails[confirmed.id])
    assert not has_calendar(mails[waiting.id])
    assert "The time has changed." in text_of(mails[waiting.id])


def test_cancelling_an_event_carries_the_message_in_each_registrants_language(
    organiser, make_event, make_registration
):
    event = make_event(slug="gps-launch")
    make_registration(event, language="en")
    make_registration(event, language="fr")

    organiser.post(
        "/organiser/events/gps-launch/cancel",
        data={"message_en": "The speaker is ill.", "message_fr": "L’intervenante est malade."},
    )

    texts = {
        m.registration.language: text_of(parsed(m)) for m in pending(MessageKind.EVENT_CANCELLED)
    }
    assert "the organisers have cancelled" in texts["en"]
    assert "The speaker is ill." in texts["en"]
    assert "L’intervenante est malade." in texts["fr"]
    assert "The speaker is ill." not in texts["fr"]


def test_the_cancel_page_names_each_message_language_as_inside_a_sentence(organiser, make_event):
    """« Message en anglais », not « Message en Anglais »: the name sits inside the label."""
    make_event(slug="gps-launch")

    organiser.get("/locale/fr")
    page = organiser.get("/organiser/events/gps-launch/cancel")

    soup = BeautifulSoup(page.get_data(as_text=True), "html.parser")
    labels = {label["for"]: label.get_text(" ", strip=True) for label in soup.find_all("label")}
    assert labels["message_en"] == "Message en anglais (facultatif)"
    assert labels["message_fr"] == "Message en français (facultatif)"


def test_an_organiser_cancellation_says_who_cancelled_and_carries_the_message(
    organiser, make_event, make_registration
):
    event = make_event(slug="gps-launch", capacity=1)
    make_registration(event, language="en")
    waiting = make_registration(event, language="en")

    organiser.post(
        f"/organiser/events/gps-launch/registrations/{waiting.id}/cancel",
        data={"message": "Reserved for members."},
    )

    (notice,) = pending(MessageKind.REGISTRATION_CANCELLED)
    mail = parsed(notice)
    assert "The organisers have cancelled your registration" in text_of(mail)
    assert "Reserved for members." in text_of(mail)
    assert not has_calendar(mail)  # a waitlisted person's calendar never held the event


def test_a_cancelled_event_can_be_reopened_and_everyone_is_told(
    organiser, make_event, make_registration
):
    event = make_event(slug="gps-launch")
    person = make_registration(event, language="en")
    organiser.post("/organiser/events/gps-launch/cancel", data={})

    page = organiser.get("/organiser/events/gps-launch")
    assert "Re-open the event" in page.text
    organiser.post("/organiser/events/gps-launch/reopen")

    db.session.expire_all()
    assert db.session.get(Event, event.id).status == EventStatus.PUBLISHED
    (update,) = pending(MessageKind.EVENT_UPDATED)
    assert update.registration_id == person.id
    mail = parsed(update)
    assert mail["Subject"].startswith("Back on:")
    assert has_calendar(mail)
    assert reminders_planned(event)


def test_postponing_keeps_registrations_and_the_new_date_sends_updated_invitations(
    organiser, client, make_event, make_registration, frozen_clock
):
    event = make_event(slug="gps-launch", capacity=1)
    confirmed = make_registration(event, language="en")
    waiting = make_registration(event, language="fr")
    assert reminders_planned(event)

    page = organiser.get("/organiser/events/gps-launch/postpone")
    assert "2 people will be told" in page.text
    organiser.post(
        "/organiser/events/gps-launch/postpone",
        data={"message_en": "The minister cannot come.", "message_fr": "La ministre est absente."},
    )

    db.session.expire_all()
    assert db.session.get(Event, event.id).status == EventStatus.POSTPONED
    assert not reminders_planned(event)
    notices = {m.registration_id: parsed(m) for m in pending(MessageKind.EVENT_UPDATED)}
    assert set(notices) == {confirmed.id, waiting.id}
    english = notices[confirmed.id]
    assert english["Subject"].startswith("Postponed:")
    assert "you keep your registration" in text_of(english)
    assert "The minister cannot come." in text_of(english)
    assert not has_calendar(english)
    assert "La ministre est absente." in text_of(notices[waiting.id])
    public = client.get("/en/events/gps-launch").get_data(as_text=True)
    assert "This event has been postponed." in public

    form = edit_form_of(
        db.session.get(Event, event.id), start="2027-01-20T13:30", end="2027-01-20T14:30"
    )
    confirm = organiser.post(EDIT, data=form)
    assert "Tell the 2 registrants by email" in confirm.text
    organiser.post(EDIT, data={**form, "confirmed": "1", "notify": "1"})

    db.session.expire_all()
    assert db.session.get(Event, event.id).status == EventStatus.PUBLISHED
    updates = {m.registration_id: parsed(m) for m in pending(MessageKind.EVENT_UPDATED)}
    assert has_calendar(updates[confirmed.id])
    assert "The time has changed." in text_of(updates[confirmed.id])
    assert reminded_when_due(frozen_clock, event) == {confirmed.id}
