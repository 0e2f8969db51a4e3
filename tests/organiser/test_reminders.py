"""Reminders set per event by the organiser (issue 20): offsets and a short text per language;
saving moves the event's few reminder rows, nothing per registrant."""

from datetime import timedelta

from bs4 import BeautifulSoup
from sqlalchemy import func, select

from eventsvc.extensions import db
from eventsvc.mail import messages
from eventsvc.mail.dispatcher import expand_all
from eventsvc.models import AuditEntry, Event, MessageKind, OutboxMessage
from eventsvc.services import broadcasts
from tests.factories import bulk_registrations
from tests.mail.reading import parse

URL = "/organiser/events/gps-launch/reminders"


def planned(event) -> list[int]:
    db.session.expire_all()
    event = db.session.get(Event, event.id)
    return sorted(
        (b.payload["offset"] for b in broadcasts.live(event, (MessageKind.REMINDER,))),
        reverse=True,
    )


def outbox_count() -> int:
    return db.session.scalar(select(func.count(OutboxMessage.id)))


def test_the_page_shows_the_sites_offsets_by_default(organiser, make_event):
    make_event(slug="gps-launch")
    page = organiser.get(URL)
    assert page.status_code == 200
    soup = BeautifulSoup(page.text, "html.parser")
    assert soup.select_one("#offsets")["value"] == "1440, 60"
    assert soup.select_one("#use_defaults").has_attr("checked")
    assert len(soup.select("#planned-reminders li")) == 2
    assert "Reminders" in organiser.get("/organiser/events/gps-launch").text


def test_new_offsets_move_the_events_rows_and_write_nothing_per_registrant(
    organiser, make_event, organiser_account
):
    event = make_event(slug="gps-launch")
    bulk_registrations(event, 50)
    before = outbox_count()

    response = organiser.post(
        URL, data={"offsets": "2880, 120, 15", "text_fr": " Apportez vos questions. "}
    )

    assert response.status_code == 303
    assert planned(event) == [2880, 120, 15]
    assert outbox_count() == before
    stored = db.session.get(Event, event.id)
    assert (stored.reminder_offsets, stored.reminder_texts) == (
        [2880, 120, 15],
        {"fr": "Apportez vos questions."},
    )
    entry = db.session.scalar(select(AuditEntry).where(AuditEntry.action == "reminders_changed"))
    assert entry.organiser_id == organiser_account.id
    assert entry.details["offsets"] == [2880, 120, 15]


def test_back_to_the_defaults_and_no_reminder_at_all(organiser, make_event):
    event = make_event(slug="gps-launch")
    organiser.post(URL, data={"offsets": "30"})
    assert planned(event) == [30]
    organiser.post(URL, data={"offsets": "", "use_defaults": "y"})
    assert planned(event) == [1440, 60]
    organiser.post(URL, data={"offsets": ""})
    assert planned(event) == []


def test_bad_offsets_are_refused_with_a_message_and_nothing_changes(organiser, make_event):
    event = make_event(slug="gps-launch")
    for offsets, message in [
        ("an hour", "Give whole minutes"),
        ("0", "between 1 minute and 30 days"),
        ("1, 2, 3, 4, 5, 6", "At most 5 reminders."),
    ]:
        page = organiser.post(URL, data={"offsets": offsets})
        assert page.status_code == 422
        assert message in page.text
    assert planned(event) == [1440, 60]


def test_the_text_is_added_to_the_reminder_in_the_readers_language(
    organiser, make_event, make_registration, frozen_clock
):
    event = make_event(slug="gps-launch")
    french = make_registration(event, language="fr")
    english = make_registration(event, language="en")
    organiser.post(
        URL,
        data={
            "offsets": "60",
            "text_fr": "Apportez vos questions.",
            "text_en": "Bring your questions.",
        },
    )
    frozen_clock.set(event.starts_at - timedelta(minutes=59))
    expand_all()

    bodies = {}
    for row in db.session.scalars(
        select(OutboxMessage).where(OutboxMessage.kind == MessageKind.REMINDER)
    ):
        mail = parse(messages.build(row).as_bytes())
        bodies[row.registration_id] = mail.get_body(("plain",)).get_content()
    assert "Apportez vos questions." in bodies[french.id]
    assert "Bring your questions." in bodies[english.id]
    assert "Apportez" not in bodies[english.id]
