from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import func, select

from eventsvc import clock
from eventsvc.extensions import db
from eventsvc.models import (
    AuditEntry,
    Event,
    EventStatus,
    MessageKind,
    OutboxMessage,
    RegistrationStatus,
)
from eventsvc.services import DomainError, broadcasts
from eventsvc.services.audit import history
from eventsvc.services.events import (
    EventData,
    ValidationFailed,
    cancel_event,
    create_event,
    preview_cancellation,
    preview_changes,
    publish_event,
    update_event,
    validate,
)
from eventsvc.unit_of_work import unit_of_work
from tests.factories import pending

wall = clock.parse_wall


def _errors(data, event=None) -> dict[str, list[str]]:
    return {key: [str(m) for m in messages] for key, messages in validate(data, event).items()}


def _outbox_count() -> int:
    return db.session.scalar(select(func.count(OutboxMessage.id)))


def _reminder_broadcasts(event) -> int:
    return len(broadcasts.live(event, (MessageKind.REMINDER,)))


def test_create_event_stores_wall_times_as_instants(app, event_data, make_partner):
    make_partner("OMEP")
    make_partner("UNESCO")
    with unit_of_work():
        event = create_event(event_data(partners=["UNESCO", "OMEP"]))
    assert event.starts_at == datetime(2026, 12, 6, 12, 30, tzinfo=UTC)
    assert event.ends_at == datetime(2026, 12, 6, 13, 30, tzinfo=UTC)
    assert event.registration_closes_at == datetime(2026, 12, 6, 12, 0, tzinfo=UTC)
    assert [p.acronym for p in event.partners] == ["UNESCO", "OMEP"]
    assert event.content("fr").title == "Lancement de la Stratégie de partenariat mondial"
    assert event.sequence == 0


def test_event_data_round_trips_through_a_stored_event(app, event_data):
    data = event_data(
        start=wall("2027-06-17T14:00"),
        end=wall("2027-06-17T15:30"),
        join_opens_minutes=20,
        join_grace_minutes=45,
        recording_url="https://video.example.org/gps",
    )
    with unit_of_work():
        event = create_event(data)
    assert EventData.from_event(event) == data


def test_summer_event_is_stored_at_cest_offset(app, event_data):
    with unit_of_work():
        event = create_event(
            event_data(
                start=wall("2027-06-17T14:00"),
                end=wall("2027-06-17T15:30"),
                registration_closes=None,
            )
        )
    assert event.starts_at == datetime(2027, 6, 17, 12, 0, tzinfo=UTC)


@pytest.mark.parametrize(
    ("changes", "field", "fragment"),
    [
        ({"slug": "GPS Launch"}, "slug", "lowercase letters"),
        ({"slug": ""}, "slug", "slug"),
        ({"slug": "a" * 101}, "slug", "at most 100"),
        ({"timezone": "Europe/Pariss"}, "timezone", "Unknown time zone"),
        ({"start": wall("2026-03-29T02:30")}, "start", "does not exist in Europe/Paris"),
        ({"end": wall("2026-10-25T02:30")}, "end", "happens twice in Europe/Paris"),
        ({"start": None}, "start", "start time"),
        ({"end": wall("2026-12-06T13:00")}, "end", "after the start"),
        ({"end": wall("2026-12-06T13:30")}, "end", "after the start"),
        ({"registration_closes": wall("2026-12-06T14:00")}, "registration_closes", "before"),
        ({"floor_language": ""}, "floor_language", "language"),
        ({"floor_language": "xx"}, "floor_language", "Unknown language"),
        ({"interpretation_languages": ["en", "zz"]}, "interpretation_languages", "“zz”"),
        ({"online_url": "javascript:alert(1)"}, "online_url", "https://"),
        ({"online_url": "ftp://example.org/x"}, "online_url", "https://"),
        ({"online_url": "https://"}, "online_url", "https://"),
        ({"online_url": "https://x.org/" + "a" * 500}, "online_url", "at most 500"),
        ({"capacity": 0}, "capacity", "at least 1"),
        ({"capacity": -5}, "capacity", "at least 1"),
        ({"capacity": True}, "capacity", "whole number"),
        ({"partners": ["NOPE"]}, "partners", "Unknown partner “NOPE”"),
        ({"status": "archived"}, "status", "Unknown status"),
    ],
)
def test_invalid_event_data_is_reported_beside_its_field(app, event_data, changes, field, fragment):
    errors = _errors(event_data(**changes))
    assert field in errors, errors
    assert any(fragment in message for message in errors[field]), errors[field]
    with pytest.raises(ValidationFailed) as failure, unit_of_work():
        create_event(event_data(**changes))
    assert field in failure.value.errors
    assert db.session.scalar(select(func.count(Event.id))) == 0


def test_text_length_limits_are_checked_per_locale(app, event_data):
    texts = event_data().texts
    texts["fr"] = {**texts["fr"], "title": "T" * 201, "summary": "S" * 501}
    errors = _errors(event_data(texts=texts))
    assert set(errors) == {"title.fr", "summary.fr"}
    assert "At most 200 characters" in errors["title.fr"][0]


def test_texts_in_an_unsupported_locale_are_refused(app, event_data):
    texts = {**event_data().texts, "de": {"title": "Start der Strategie"}}
    assert "title.de" in _errors(event_data(texts=texts))


def test_slug_must_be_unique(app, event_data):
    with unit_of_work():
        create_event(event_data())
    errors = _errors(event_data())
    assert errors["slug"] == ["Another event already uses the slug “gps-ecce-launch”."]


def test_publishing_requires_title_and_summary_in_every_locale(app, event_data):
    texts = event_data().texts
    texts["fr"] = {"title": "", "summary": "", "description": "Cinq stratégies."}
    errors = _errors(event_data(texts=texts))
    assert errors == {
        "title.fr": ["A title in French is needed to publish."],
        "summary.fr": ["A summary in French is needed to publish."],
    }
    with unit_of_work():
        draft = create_event(event_data(texts=texts, status=EventStatus.DRAFT))
    assert draft.status == EventStatus.DRAFT

    with pytest.raises(ValidationFailed) as failure, unit_of_work():
        publish_event(draft)
    assert set(failure.value.errors) == {"title.fr", "summary.fr"}
    db.session.refresh(draft)
    assert draft.status == EventStatus.DRAFT


def test_a_draft_needs_at_least_one_title(app, event_data):
    texts = {"en": {"summary": "x"}}
    errors = _errors(event_data(texts=texts, status=EventStatus.DRAFT))
    assert errors == {"title.en": ["Give the event a title."]}


def test_publish_event_publishes_a_complete_draft_and_audits(app, event_data):
    with unit_of_work():
        event = create_event(event_data(status=EventStatus.DRAFT))
    with unit_of_work():
        publish_event(event)
    assert event.status == EventStatus.PUBLISHED
    assert [entry.action for entry in history(event)] == ["published", "created"]


def test_update_with_identical_data_changes_nothing(app, event_data, make_registration):
    with unit_of_work():
        event = create_event(event_data())
    make_registration(event)
    queued = _outbox_count()
    with unit_of_work():
        summary = update_event(event, event_data())
    assert not summary.changed
    assert summary.notify_count == 0
    assert event.sequence == 0
    assert _outbox_count() == queued
    assert [entry.action for entry in history(event)] == ["published", "created"]


def test_time_change_tells_every_registrant_and_the_waitlist_and_moves_reminders(
    app, event_data, make_registration
):
    with unit_of_work():
        event = create_event(event_data(capacity=2))
    confirmed = [make_registration(event), make_registration(event)]
    waitlisted = make_registration(event)
    assert waitlisted.status == RegistrationStatus.WAITLISTED
    new_data = event_data(
        capacity=2,
        start=wall("2026-12-06T15:00"),
        end=wall("2026-12-06T16:00"),
        registration_closes=wall("2026-12-06T14:30"),
    )

    preview = preview_changes(event, new_data)
    assert (preview.changes, preview.notify_count) == (["time"], 3)
    # Three personal messages and two reminder rows for the event, none per registrant.
    assert (_outbox_count(), _reminder_broadcasts(event)) == (3, 2)
    assert _outbox_count() == 3  # nothing written by the preview

    with unit_of_work():
        summary = update_event(event, new_data)
    assert summary.changes == ["time"]
    assert summary.new_start == datetime(2026, 12, 6, 14, 0, tzinfo=UTC)
    assert event.sequence == 1
    updates = pending(MessageKind.EVENT_UPDATED)
    told = sorted(r.id for r in [*confirmed, waitlisted])
    assert sorted(m.registration_id for m in updates) == told
    assert updates[0].payload == {
        "old_start": "2026-12-06T12:30:00+00:00",
        "old_end": "2026-12-06T13:30:00+00:00",
        "changes": ["time"],
    }
    # The reminders moved: the same two rows, whatever the number of registrants.
    reminders = broadcasts.live(event, (MessageKind.REMINDER,))
    assert len(reminders) == 2
    assert {b.due_at for b in reminders} == {
        summary.new_start - timedelta(days=1),
        summary.new_start - timedelta(hours=1),
    }


def test_link_and_title_changes_are_told_together(app, event_data, make_registration):
    with unit_of_work():
        event = create_event(event_data())
    make_registration(event)
    texts = event_data().texts
    texts["en"] = {**texts["en"], "title": "Launch of the GPS (new title)"}
    with unit_of_work():
        summary = update_event(
            event, event_data(texts=texts, online_url="https://meet.example.org/new-room")
        )
    assert summary.changes == ["link", "title"]
    assert event.sequence == 1
    [update] = pending(MessageKind.EVENT_UPDATED)
    # The registrant reads French, whose title did not change: only the link is news to them.
    assert update.payload["changes"] == ["link"]
    assert _reminder_broadcasts(event) == 2  # the time did not move


def test_summary_change_is_saved_without_telling_anyone(app, event_data, make_registration):
    with unit_of_work():
        event = create_event(event_data())
    make_registration(event)
    texts = event_data().texts
    texts["fr"] = {**texts["fr"], "summary": "Un nouveau résumé."}
    with unit_of_work():
        summary = update_event(event, event_data(texts=texts))
    assert summary.fields == ["summary.fr"]
    assert summary.notify_count == 0
    assert event.sequence == 0
    assert pending(MessageKind.EVENT_UPDATED) == []
    assert history(event)[0].details == {"fields": ["summary.fr"]}


def test_capacity_increase_promotes_from_the_waitlist(app, event_data, make_registration):
    with unit_of_work():
        event = create_event(event_data(capacity=1))
    make_registration(event)
    first, second, third = (make_registration(event) for _ in range(3))
    assert preview_changes(event, event_data(capacity=3)).promote_count == 2

    with unit_of_work():
        update_event(event, event_data(capacity=3))

    for registration in (first, second, third):
        db.session.refresh(registration)
    assert [r.status for r in (first, second, third)] == [
        RegistrationStatus.CONFIRMED,
        RegistrationStatus.CONFIRMED,
        RegistrationStatus.WAITLISTED,
    ]
    assert {m.registration_id for m in pending(MessageKind.PROMOTED)} == {first.id, second.id}


def test_removing_the_capacity_promotes_everyone_waiting(app, event_data, make_registration):
    with unit_of_work():
        event = create_event(event_data(capacity=1))
    make_registration(event)
    waiting = [make_registration(event) for _ in range(2)]
    with unit_of_work():
        update_event(event, event_data(capacity=None))
    assert {m.registration_id for m in pending(MessageKind.PROMOTED)} == {r.id for r in waiting}


def test_cancel_event_tells_everyone_including_the_waitlist(app, event_data, make_registration):
    with unit_of_work():
        event = create_event(event_data(capacity=1))
    confirmed = make_registration(event)
    waitlisted = make_registration(event)
    assert preview_cancellation(event).notify_count == 2

    with unit_of_work():
        summary = cancel_event(event)

    assert summary.cancelled and summary.notify_count == 2
    assert event.status == EventStatus.CANCELLED
    assert event.sequence == 1
    cancellations = pending(MessageKind.EVENT_CANCELLED)
    assert {m.registration_id for m in cancellations} == {confirmed.id, waitlisted.id}
    payloads = {m.registration_id: m.payload for m in cancellations}
    assert payloads[confirmed.id] == {"sequence": 1, "calendar": True}
    assert payloads[waitlisted.id] == {"sequence": 1, "calendar": False}
    assert pending(MessageKind.REMINDER) == []
    assert history(event)[0].action == "cancelled"


def test_cancelling_twice_sends_nothing_more(app, event_data, make_registration):
    with unit_of_work():
        event = create_event(event_data())
    make_registration(event)
    with unit_of_work():
        cancel_event(event)
    queued = _outbox_count()
    with unit_of_work():
        summary = cancel_event(event)
    assert not summary.cancelled
    assert event.sequence == 1
    assert _outbox_count() == queued


def test_cancelling_through_update_applies_cancel_semantics(app, event_data, make_registration):
    with unit_of_work():
        event = create_event(event_data())
    registration = make_registration(event)
    with unit_of_work():
        summary = update_event(event, event_data(status=EventStatus.CANCELLED))
    assert summary.cancelled
    [message] = pending(MessageKind.EVENT_CANCELLED)
    assert message.registration_id == registration.id
    assert pending(MessageKind.EVENT_UPDATED) == []
    assert pending(MessageKind.REMINDER) == []


def test_a_cancelled_event_cannot_be_published_again(app, event_data):
    with unit_of_work():
        event = create_event(event_data())
    with unit_of_work():
        cancel_event(event)
    with pytest.raises(DomainError) as failure, unit_of_work():
        publish_event(event)
    assert "re-open it" in str(failure.value.message)
    with pytest.raises(ValidationFailed) as failure, unit_of_work():
        update_event(event, event_data(status=EventStatus.PUBLISHED))
    assert "cannot be reopened" in str(failure.value.errors["status"][0])
    assert event.status == EventStatus.CANCELLED


def test_an_event_with_registrations_cannot_go_back_to_draft(app, event_data, make_registration):
    with unit_of_work():
        event = create_event(event_data())
    make_registration(event)
    with pytest.raises(ValidationFailed) as failure, unit_of_work():
        update_event(event, event_data(status=EventStatus.DRAFT))
    assert "cannot go back to draft" in str(failure.value.errors["status"][0])


def test_every_write_leaves_an_audit_entry_with_its_actor(app, event_data):
    from eventsvc.models import Organiser

    organiser = Organiser(email="lead@omep.test", name="Lead")
    organiser.set_password("a long enough password")
    db.session.add(organiser)
    db.session.commit()

    with unit_of_work():
        event = create_event(event_data(status=EventStatus.DRAFT), actor=organiser)
    with unit_of_work():
        update_event(
            event,
            event_data(status=EventStatus.DRAFT, start=wall("2026-12-06T14:00")),
            actor=organiser,
        )
    with unit_of_work():
        publish_event(event, actor=organiser)
    with unit_of_work():
        cancel_event(event, actor=organiser)

    entries = list(reversed(history(event)))
    assert [e.action for e in entries] == ["created", "updated", "published", "cancelled"]
    assert all(e.organiser_id == organiser.id for e in entries)
    assert entries[1].details["fields"] == ["start"]
    assert entries[1].details["old_start"] == "2026-12-06T12:30:00+00:00"
    assert entries[1].details["new_start"] == "2026-12-06T13:00:00+00:00"
    assert db.session.scalar(select(func.count(AuditEntry.id))) == 4


def test_an_unsent_update_is_folded_into_the_next_one(app, event_data, make_registration):
    with unit_of_work():
        event = create_event(event_data())
    make_registration(event)
    with unit_of_work():
        update_event(
            event, event_data(start=wall("2026-12-06T14:00"), end=wall("2026-12-06T15:00"))
        )
    with unit_of_work():
        update_event(
            event,
            event_data(
                start=wall("2026-12-06T15:00"),
                end=wall("2026-12-06T16:00"),
                online_url="https://meet.example.org/other-room",
            ),
        )
    assert event.sequence == 2
    [update] = pending(MessageKind.EVENT_UPDATED)
    assert update.payload == {
        "old_start": "2026-12-06T12:30:00+00:00",
        "old_end": "2026-12-06T13:30:00+00:00",
        "changes": ["time", "link"],
    }


@pytest.mark.parametrize(
    ("start", "end", "utc_start"),
    [
        ("2026-03-29T01:30", "2026-03-29T03:30", datetime(2026, 3, 29, 0, 30, tzinfo=UTC)),
        ("2026-03-29T03:00", "2026-03-29T04:00", datetime(2026, 3, 29, 1, 0, tzinfo=UTC)),
        ("2026-10-25T01:30", "2026-10-25T03:30", datetime(2026, 10, 24, 23, 30, tzinfo=UTC)),
        ("2026-10-25T03:00", "2026-10-25T04:00", datetime(2026, 10, 25, 2, 0, tzinfo=UTC)),
    ],
)
def test_times_next_to_the_clock_changes_are_accepted(app, event_data, start, end, utc_start):
    with unit_of_work():
        event = create_event(event_data(start=wall(start), end=wall(end), registration_closes=None))
    assert event.starts_at == utc_start


@pytest.mark.parametrize("slug", ["new", "events"])
def test_a_slug_that_would_shadow_a_page_is_refused(app, event_data, slug):
    assert "slug" in _errors(event_data(slug=slug))
