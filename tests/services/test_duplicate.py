"""Duplicating an event: a draft copy with its texts, partners, settings and questions, and
nothing of its registrations, mail or history."""

from sqlalchemy import func, select

from eventsvc.extensions import db
from eventsvc.models import AuditEntry, Event, EventStatus, OutboxMessage, Registration
from eventsvc.services import audit, events, questions
from eventsvc.unit_of_work import unit_of_work
from tests.factories import create_event, create_partner, register_someone

ROLE = {
    "key": "role",
    "type": "single_choice",
    "label": {"en": "Your role", "fr": "Votre fonction", "es": "Su función"},
    "required": True,
    "choices": [
        {
            "key": "teacher",
            "label": {"en": "Teacher", "fr": "Enseignant·e", "es": "Docente"},
            "places": 5,
        },
        {
            "key": "ngo",
            "label": {"en": "NGO staff", "fr": "Personnel d’ONG", "es": "Personal de ONG"},
        },
    ],
}


def source_event() -> Event:
    event = create_event(
        slug="gps-launch",
        capacity=40,
        partners=[create_partner("UNESCO"), create_partner("ECDAN")],
        interpretation_languages=("en", "es"),
        title={"en": "GPS launch", "fr": "Lancement", "es": "Lanzamiento"},
    )
    event.join_opens_minutes = 45
    event.join_grace_minutes = 10
    event.panelist_url = "https://meet.example.org/panel"
    event.recording_url = "https://video.example.org/gps"
    event.reminder_offsets = [1440, 60]
    event.reminder_texts = {"fr": "N’oubliez pas", "en": "Don't forget"}
    event.attended_minutes = 20
    event.confirm_address = True
    event.required_locales = ["en", "fr", "es"]
    with unit_of_work():
        questions.set_questions(event, [ROLE])
    register_someone(event)
    return event


def test_copy_is_a_draft_with_the_texts_partners_settings_and_questions(app):
    source = source_event()
    mail_before = db.session.scalar(select(func.count(OutboxMessage.id)))

    with unit_of_work():
        copy = events.duplicate_event(source)
    db.session.expire_all()

    assert copy.slug == "gps-launch-copy"
    assert copy.status == EventStatus.DRAFT
    assert copy.calendar_uid != source.calendar_uid
    assert {c.locale: (c.title, c.summary, c.description) for c in copy.contents} == {
        c.locale: (c.title, c.summary, c.description) for c in source.contents
    }
    assert [p.acronym for p in copy.partners] == ["UNESCO", "ECDAN"]
    assert (copy.starts_at, copy.ends_at, copy.timezone) == (
        source.starts_at,
        source.ends_at,
        source.timezone,
    )
    assert copy.capacity == 40
    assert copy.floor_language == "fr"
    assert copy.interpretation_languages == ["en", "es"]
    assert copy.required_locales == ["en", "fr", "es"]
    assert copy.online_url == source.online_url
    assert (copy.join_opens_minutes, copy.join_grace_minutes) == (45, 10)
    assert copy.panelist_url == "https://meet.example.org/panel"
    assert copy.recording_url == ""  # the recording is the source session's
    assert copy.reminder_offsets == [1440, 60]
    assert copy.reminder_texts == {"fr": "N’oubliez pas", "en": "Don't forget"}
    assert (copy.attended_minutes, copy.confirm_address) == (20, True)
    assert questions.as_items(copy) == questions.as_items(source)
    assert copy.confirmed_seats == 0
    registrations = select(func.count(Registration.id)).where(Registration.event_id == copy.id)
    assert db.session.scalar(registrations) == 0
    assert db.session.scalar(select(func.count(OutboxMessage.id))) == mail_before
    history = audit.history(copy)
    assert [(entry.action, entry.details) for entry in history] == [
        (audit.COPIED, {"source": "gps-launch"})
    ]
    # The source is untouched, its questions still its own.
    assert [q.event_id for q in questions.questions_of(source)] == [source.id]


def test_each_copy_gets_the_next_free_slug(app):
    source = source_event()

    with unit_of_work():
        first = events.duplicate_event(source)
    with unit_of_work():
        second = events.duplicate_event(source)
    with unit_of_work():
        of_copy = events.duplicate_event(first)

    assert [first.slug, second.slug, of_copy.slug] == [
        "gps-launch-copy",
        "gps-launch-copy-2",
        "gps-launch-copy-copy",
    ]


def test_a_long_slug_is_cut_to_fit(app):
    source = create_event(slug="a" * 100)

    with unit_of_work():
        copy = events.duplicate_event(source)

    assert copy.slug == "a" * 95 + "-copy"
    entries = select(func.count(AuditEntry.id)).where(AuditEntry.event_id == copy.id)
    assert db.session.scalar(entries) == 1
