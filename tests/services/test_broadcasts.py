"""Messages to many written once (issue 20): one row per event and purpose, expanded by the
worker in chunks when due, each recipient at most once. Runs on SQLite and, with
``EVENTSVC_TEST_BACKEND=postgresql``, on PostgreSQL."""

from collections import Counter
from datetime import timedelta

import pytest
from sqlalchemy import func, insert, select
from sqlalchemy.exc import IntegrityError

from eventsvc import clock
from eventsvc.extensions import db
from eventsvc.mail.dispatcher import database_now, expand_all, expand_due
from eventsvc.models import (
    Broadcast,
    BroadcastStatus,
    Event,
    MessageKind,
    MessageStatus,
    OutboxMessage,
    Registration,
    RegistrationStatus,
)
from eventsvc.services import broadcasts
from eventsvc.services.announcements import cancel_scheduled, send_announcement
from eventsvc.services.events import EventData, cancel_event, update_event
from eventsvc.services.registrations import cancel as cancel_registration
from eventsvc.unit_of_work import unit_of_work
from tests.factories import bulk_registrations

TEXTS = {locale: {"subject": "News", "body": "Hello."} for locale in ("en", "fr")}


def rows(kind: MessageKind | None = None) -> list[OutboxMessage]:
    db.session.expire_all()
    query = select(OutboxMessage).order_by(OutboxMessage.id)
    if kind is not None:
        query = query.where(OutboxMessage.kind == kind)
    return list(db.session.scalars(query))


def outbox_count() -> int:
    return db.session.scalar(select(func.count(OutboxMessage.id)))


def reminder_rows(event: Event) -> list[Broadcast]:
    db.session.expire_all()
    return broadcasts.live(db.session.get(Event, event.id), (MessageKind.REMINDER,))


def moved(event: Event, hours: int) -> EventData:
    data = EventData.from_event(event)
    data.start += timedelta(hours=hours)
    data.end += timedelta(hours=hours)
    return data


def test_moving_an_event_writes_the_same_rows_for_ten_registrants_as_for_none(
    app, make_event, make_registration
):
    event = make_event(start="2026-12-20T13:30", end="2026-12-20T14:30")
    assert [b.payload["offset"] for b in reminder_rows(event)] == [1440, 60]
    before = outbox_count()
    bulk_registrations(event, 10)

    with unit_of_work():
        update_event(event, moved(event, 2), notify=True)

    assert outbox_count() == before  # not one row per registrant
    (update,) = broadcasts.live(event, (MessageKind.EVENT_UPDATED,))
    assert update.audience == "update" and update.payload["changes"] == ["time"]
    reminders = reminder_rows(event)
    assert len(reminders) == 2  # the same two rows, moved
    assert {b.due_at for b in reminders} == {
        event.starts_at - timedelta(minutes=1440),
        event.starts_at - timedelta(minutes=60),
    }
    assert expand_all() == 10  # the update, due now: one delivery each
    assert {row.registration_id for row in rows(MessageKind.EVENT_UPDATED)} == set(
        db.session.scalars(select(Registration.id).where(Registration.event_id == event.id))
    )


def test_a_registrant_who_joins_after_a_change_is_reminded_by_the_rule(
    app, make_event, make_registration, frozen_clock
):
    event = make_event(start="2026-12-20T13:30", end="2026-12-20T14:30")
    early = make_registration(event)
    with unit_of_work():
        update_event(event, moved(event, 3), notify=True)
    late = make_registration(event)  # after the change: no update for them, but reminders

    expand_all()
    assert {row.registration_id for row in rows(MessageKind.EVENT_UPDATED)} == {early.id}
    frozen_clock.set(db.session.get(Event, event.id).starts_at - timedelta(minutes=59))
    expand_all()

    reminded = Counter(row.registration_id for row in rows(MessageKind.REMINDER))
    assert reminded == {early.id: 1, late.id: 1}  # the latest reminder only, once each


def test_expansion_goes_chunk_by_chunk_and_never_twice(app, make_event, frozen_clock):
    event = make_event()
    ids = bulk_registrations(event, 7)
    frozen_clock.set(event.starts_at - timedelta(minutes=60))

    steps = []
    while (expansion := expand_due(chunk=3)) is not None:
        steps.append((expansion.written, expansion.finished))

    # Both reminders are due after the outage: the day-before one is superseded whole.
    assert steps == [(0, True), (3, False), (3, False), (1, True)]
    written = [row.registration_id for row in rows(MessageKind.REMINDER)]
    assert written == ids
    assert expand_all() == 0  # nothing left: a second pass writes nothing
    finished = db.session.scalars(select(Broadcast).order_by(Broadcast.due_at)).all()
    assert [(b.status, b.written, b.cursor) for b in finished] == [
        (BroadcastStatus.DONE, 0, 0),
        (BroadcastStatus.DONE, 7, ids[-1]),
    ]


def test_a_worker_failing_mid_chunk_leaves_nothing_and_the_next_one_writes_it_once(
    app, make_event, frozen_clock
):
    event = make_event()
    ids = bulk_registrations(event, 5)
    frozen_clock.set(event.starts_at - timedelta(minutes=30))

    def die():
        raise RuntimeError("worker lost mid-chunk")

    assert expand_due(chunk=2) is not None  # the superseded day-before reminder
    expand_due(chunk=2)  # the first chunk, committed with its cursor
    with pytest.raises(RuntimeError):
        expand_due(chunk=2, after_write=die)
    assert len(rows(MessageKind.REMINDER)) == 2  # the failed chunk rolled back whole
    expand_all(chunk=2)

    assert [row.registration_id for row in rows(MessageKind.REMINDER)] == ids


def test_the_unique_delivery_key_refuses_a_second_delivery(app, make_event, make_registration):
    event = make_event()
    person = make_registration(event)
    with unit_of_work():
        send_announcement(event, TEXTS)
    expand_all()
    (delivery,) = rows(MessageKind.ANNOUNCEMENT)

    with pytest.raises(IntegrityError):
        db.session.execute(
            insert(OutboxMessage),
            [
                {
                    "kind": MessageKind.ANNOUNCEMENT,
                    "registration_id": person.id,
                    "event_id": event.id,
                    "broadcast_id": delivery.broadcast_id,
                    "payload": {},
                    "message_id": "<again@example.org>",
                }
            ],
        )
    db.session.rollback()


def test_the_rule_is_read_when_due_cancelled_and_erased_people_are_left_out(
    app, make_event, make_registration, frozen_clock
):
    event = make_event()
    kept, leaving = make_registration(event), make_registration(event)
    with unit_of_work():
        send_announcement(event, TEXTS, send_at=clock.now() + timedelta(hours=1))
    with unit_of_work():
        cancel_registration(db.session.get(Registration, leaving.id))
    frozen_clock.advance(timedelta(hours=1))

    expand_all()

    assert [row.registration_id for row in rows(MessageKind.ANNOUNCEMENT)] == [kept.id]


def test_withdrawing_a_partly_expanded_announcement_withdraws_its_unsent_deliveries(
    app, make_event, frozen_clock
):
    event = make_event()
    bulk_registrations(event, 5)
    with unit_of_work():
        sent = send_announcement(event, TEXTS, send_at=clock.now() + timedelta(hours=1))
    frozen_clock.advance(timedelta(hours=1))
    expand_due(chunk=2)
    assert len(rows(MessageKind.ANNOUNCEMENT)) == 2

    announcement = db.session.get(type(sent.announcement), sent.announcement.id)
    announcement.send_at = clock.now() + timedelta(minutes=1)  # still "scheduled" for the form
    with unit_of_work():
        withdrawn = cancel_scheduled(announcement)

    assert withdrawn == 5  # two written, three not yet
    assert {row.status for row in rows(MessageKind.ANNOUNCEMENT)} == {MessageStatus.CANCELLED}
    assert expand_all() == 0


def test_an_event_cancellation_is_one_row_and_tells_the_waitlist_without_a_calendar(
    app, make_event, make_registration
):
    event = make_event(capacity=1)
    confirmed, waiting = make_registration(event), make_registration(event)
    assert waiting.status == RegistrationStatus.WAITLISTED
    before = outbox_count()

    with unit_of_work():
        cancel_event(event)

    assert outbox_count() <= before  # personal rows withdrawn, nothing written per person
    assert reminder_rows(event) == []
    expand_all()
    calendars = {
        row.registration_id: row.payload["calendar"]
        for row in rows()
        if row.kind == MessageKind.EVENT_CANCELLED
    }
    assert calendars == {confirmed.id: True, waiting.id: False}


def test_a_new_purpose_is_one_function(app, make_event, make_registration):
    """A follow-up to those with a place, as another slice would add it."""
    event = make_event()
    english = make_registration(event, language="en")
    make_registration(event, language="fr")

    @broadcasts.audience("test_english_only")
    def _english(broadcast):
        return [Registration.language == "en"]

    try:
        with unit_of_work():
            broadcasts.schedule(event, MessageKind.ANNOUNCEMENT, "test_english_only")
        expand_all()
    finally:
        del broadcasts.AUDIENCES["test_english_only"]

    assert [row.registration_id for row in rows(MessageKind.ANNOUNCEMENT)] == [english.id]


def test_expansion_reads_the_databases_clock(app, make_event):
    """Due times are compared with one clock for every worker (the database's)."""
    event = make_event()
    assert database_now() < reminder_rows(event)[0].due_at
    assert expand_due() is None


def test_an_announcement_counts_from_the_seats_and_looks_up_each_language_once(
    app, make_event, make_registration
):
    """The recipients come from the event's seat count less the erased, the languages from a
    few index look-ups per language (the time per look-up is bench/broadcast_cost.py's):
    exact with erased data and an unsupported language, and a few statements more for one
    more language, none per registrant."""
    from sqlalchemy import event as sqlalchemy_event

    from eventsvc.services.announcements import reach
    from eventsvc.services.privacy import erase_registration

    def statements_to_announce(event: Event) -> tuple[int, int]:
        seen = []

        def count(*_args):
            seen.append(1)

        engine = db.engine
        sqlalchemy_event.listen(engine, "before_cursor_execute", count)
        try:
            with unit_of_work():
                sent = send_announcement(db.session.get(Event, event.id), TEXTS)
        finally:
            sqlalchemy_event.remove(engine, "before_cursor_execute", count)
        return len(seen), sent.recipients

    few, many = make_event(slug="few"), make_event(slug="many")
    bulk_registrations(few, 4)
    bulk_registrations(many, 400)
    erased = make_registration(many, language="fr")
    make_registration(many, language="es-419")  # an unsupported language reads the default
    with unit_of_work():
        erase_registration(erased)

    assert reach(db.session.get(Event, many.id)).languages == {"en", "fr"}
    assert statements_to_announce(few)[1] == 4
    statements_few = statements_to_announce(few)[0]
    statements_many, recipients = statements_to_announce(many)
    assert recipients == 401  # 400 + the one in es-419, not the erased one
    assert statements_many <= statements_few + 3  # one more language, not one per registrant
