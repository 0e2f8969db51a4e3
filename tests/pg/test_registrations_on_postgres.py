"""The registration rules on PostgreSQL, where the event lock is ``SELECT … FOR UPDATE``."""

from concurrent.futures import ThreadPoolExecutor

from sqlalchemy import func, select

from eventsvc.extensions import db
from eventsvc.models import MessageKind, OutboxMessage, Registration, RegistrationStatus
from eventsvc.services.inputs.registration import RegistrationInput
from eventsvc.services.registrations import cancel, register
from eventsvc.unit_of_work import unit_of_work


def _statuses(event_id):
    rows = db.session.execute(
        select(Registration.status, func.count())
        .where(Registration.event_id == event_id)
        .group_by(Registration.status)
    )
    return {status: count for status, count in rows}


def _kinds(event_id):
    rows = db.session.execute(
        select(OutboxMessage.kind, func.count())
        .where(OutboxMessage.event_id == event_id)
        .group_by(OutboxMessage.kind)
    )
    return {kind: count for kind, count in rows}


def test_register_when_full_goes_to_waitlist_on_postgres(make_event, make_registration):
    event = make_event(capacity=1)
    first = make_registration(event)
    second = make_registration(event)
    assert first.status == RegistrationStatus.CONFIRMED
    assert second.status == RegistrationStatus.WAITLISTED


def test_registering_twice_creates_one_registration_on_postgres(make_event, make_registration):
    event = make_event()
    first = make_registration(event, email="Ama.Mensah@Example.org")
    again = make_registration(event, email="ama.mensah@example.org")
    assert again.id == first.id
    assert _statuses(event.id) == {RegistrationStatus.CONFIRMED: 1}


def test_cancelling_promotes_the_first_waitlisted_on_postgres(make_event, make_registration):
    event = make_event(capacity=1)
    confirmed = make_registration(event)
    first_waiting = make_registration(event)
    make_registration(event)
    with unit_of_work():
        promoted = cancel(confirmed)
    assert [r.id for r in promoted] == [first_waiting.id]
    assert _statuses(event.id) == {
        RegistrationStatus.CANCELLED: 1,
        RegistrationStatus.CONFIRMED: 1,
        RegistrationStatus.WAITLISTED: 1,
    }


def test_parallel_registrations_never_exceed_capacity_on_postgres(app, make_event):
    event = make_event(capacity=5)
    event_id = event.id

    def register_one(n):
        with app.app_context():
            fresh = db.session.get(type(event), event_id)
            data = RegistrationInput(
                full_name=f"Person {n}", email=f"person{n}@example.org", language="en"
            )
            with unit_of_work():
                return register(fresh, data).status

    with ThreadPoolExecutor(max_workers=10) as pool:
        statuses = list(pool.map(register_one, range(40)))

    assert statuses.count(RegistrationStatus.CONFIRMED) == 5
    assert statuses.count(RegistrationStatus.WAITLISTED) == 35
    assert _statuses(event_id) == {
        RegistrationStatus.CONFIRMED: 5,
        RegistrationStatus.WAITLISTED: 35,
    }
    kinds = _kinds(event_id)
    assert kinds[MessageKind.CONFIRMATION] == 5
    assert kinds[MessageKind.WAITLISTED] == 35


def test_parallel_cancellations_promote_as_many_as_cancelled_on_postgres(
    app, make_event, make_registration
):
    event = make_event(capacity=10)
    confirmed = [make_registration(event) for _ in range(10)]
    for _ in range(15):
        make_registration(event)
    leaving = [r.id for r in confirmed[:6]]

    def cancel_one(registration_id):
        with app.app_context(), unit_of_work():
            return len(cancel(db.session.get(Registration, registration_id)))

    with ThreadPoolExecutor(max_workers=6) as pool:
        promoted = sum(pool.map(cancel_one, leaving))

    assert promoted == 6
    assert _statuses(event.id) == {
        RegistrationStatus.CANCELLED: 6,
        RegistrationStatus.CONFIRMED: 10,
        RegistrationStatus.WAITLISTED: 9,
    }
    assert _kinds(event.id)[MessageKind.PROMOTED] == 6
