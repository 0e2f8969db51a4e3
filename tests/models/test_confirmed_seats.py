"""``Event.confirmed_seats`` is a stored count, set by ``registrations.count_seats`` whenever a
service changes a registration's status (no flush hook): whatever the services do to the
registrations, it must equal the confirmed rows, and the capacity check must rest on it."""

from datetime import timedelta
from itertools import count

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import func, select

from eventsvc.extensions import db
from eventsvc.models import Event, Registration, RegistrationStatus
from eventsvc.services.events import EventData, cancel_event, reopen_event, update_event
from eventsvc.services.privacy import erase_registration, purge_past_registrations
from eventsvc.services.registrations import (
    cancel,
    confirm_address,
    expire_holds,
    promote,
    promote_waitlisted,
)
from eventsvc.unit_of_work import unit_of_work

STEPS = st.lists(
    st.tuples(
        st.sampled_from(
            [
                "register",
                "cancel",
                "promote",
                "more_seats",
                "capacity_by_editor",
                "erase",
                "cancel_and_reopen_event",
            ]
        ),
        st.integers(0, 7),
    ),
    max_size=20,
)
_events = count()


def counted(event_id: int) -> tuple[int, int]:
    """The running count and the real one, both read from the database."""
    db.session.expire_all()
    kept = db.session.get(Event, event_id).confirmed_seats
    real = db.session.scalar(
        select(func.count(Registration.id)).where(
            Registration.event_id == event_id,
            Registration.status == RegistrationStatus.CONFIRMED,
        )
    )
    return kept, real


@settings(
    max_examples=60,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(steps=STEPS)
def test_the_running_count_equals_the_confirmed_rows_whatever_happens(
    make_event, make_registration, steps
):
    event = make_event(slug=f"seats-{next(_events)}", capacity=2)
    event_id = event.id
    for action, who in steps:
        registrations = db.session.scalars(
            select(Registration).where(Registration.event_id == event_id).order_by(Registration.id)
        ).all()
        chosen = registrations[who % len(registrations)] if registrations else None
        event = db.session.get(Event, event_id)
        if action == "register":
            make_registration(event, email=f"p{who}@example.org")
            continue
        with unit_of_work():
            if action == "cancel" and chosen is not None:
                cancel(chosen)
            elif action == "promote" and chosen and chosen.status == RegistrationStatus.WAITLISTED:
                promote(chosen, out_of_turn=True, overbook=True)
            elif action == "more_seats":
                event.capacity += 1
                promote_waitlisted(event)
            elif action == "capacity_by_editor":
                data = EventData.from_event(event)
                data.capacity = event.capacity + 1
                update_event(event, data)
            elif action == "erase" and chosen is not None:
                erase_registration(chosen)
            elif action == "cancel_and_reopen_event":
                cancel_event(event)
                reopen_event(event)
        kept, real = counted(event_id)
        assert kept == real, (action, who)


def test_a_full_event_sends_the_next_registrant_to_the_waitlist(make_event, make_registration):
    event = make_event(capacity=1)
    first = make_registration(event)
    second = make_registration(event)

    assert first.status == RegistrationStatus.CONFIRMED
    assert second.status == RegistrationStatus.WAITLISTED
    assert counted(event.id) == (1, 1)

    with unit_of_work():
        promoted = cancel(first)

    assert [registration.id for registration in promoted] == [second.id]
    assert counted(event.id) == (1, 1)


def test_expired_holds_and_confirmed_addresses_keep_the_count(
    make_event, make_registration, frozen_clock
):
    event = make_event(capacity=1)
    event.confirm_address = True
    db.session.commit()
    held = make_registration(event)
    waiting = make_registration(event)
    assert counted(event.id) == (1, 1)
    with unit_of_work():
        confirm_address(waiting)  # still waitlisted: the held place is taken
    assert counted(event.id) == (1, 1)

    frozen_clock.advance(timedelta(days=3))
    with unit_of_work():
        expire_holds(db.session.get(Event, event.id))

    db.session.refresh(held)
    db.session.refresh(waiting)
    assert held.status == RegistrationStatus.CANCELLED
    assert waiting.status == RegistrationStatus.CONFIRMED
    assert counted(event.id) == (1, 1)


def test_purging_past_registrations_keeps_the_count(make_event, make_registration, frozen_clock):
    event = make_event(capacity=5)
    for _ in range(3):
        make_registration(event)
    frozen_clock.advance(timedelta(days=400))
    with unit_of_work():
        assert purge_past_registrations(timedelta(days=180)).count == 3
    assert counted(event.id) == (3, 3)


def test_a_status_change_rolled_back_leaves_the_count(make_event, make_registration):
    event = make_event(capacity=5)
    registration = make_registration(event)
    with pytest.raises(RuntimeError), unit_of_work():
        cancel(registration)
        raise RuntimeError("the request failed after the change")
    assert counted(event.id) == (1, 1)
    db.session.refresh(registration)
    assert registration.status == RegistrationStatus.CONFIRMED


def test_a_registration_is_not_an_edit_of_the_event(make_event, make_registration, frozen_clock):
    event = make_event(capacity=5)
    edited = event.updated_at

    frozen_clock.advance(timedelta(hours=1))
    make_registration(event)

    db.session.expire_all()
    assert db.session.get(Event, event.id).updated_at == edited
