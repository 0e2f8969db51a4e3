"""``Event.confirmed_seats`` is a running count kept at flush time: whatever happens to the
registrations, it must equal the confirmed rows, and the capacity check must rest on it."""

from datetime import timedelta
from itertools import count

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import func, select

from eventsvc.extensions import db
from eventsvc.models import Event, Registration, RegistrationStatus
from eventsvc.services.registrations import cancel, promote, promote_waitlisted

STEPS = st.lists(
    st.tuples(
        st.sampled_from(["register", "cancel", "promote", "more_seats", "set_status"]),
        st.integers(0, 7),
        st.sampled_from(list(RegistrationStatus)),
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
    for action, who, status in steps:
        registrations = db.session.scalars(
            select(Registration).where(Registration.event_id == event_id).order_by(Registration.id)
        ).all()
        chosen = registrations[who % len(registrations)] if registrations else None
        if action == "register":
            make_registration(db.session.get(Event, event_id), email=f"p{who}@example.org")
        elif action == "cancel" and chosen is not None:
            cancel(chosen)
        elif action == "promote" and chosen and chosen.status == RegistrationStatus.WAITLISTED:
            promote(chosen, out_of_turn=True, overbook=True)
        elif action == "more_seats":
            db.session.get(Event, event_id).capacity += 1
            db.session.commit()
            promote_waitlisted(db.session.get(Event, event_id))
        elif action == "set_status" and chosen is not None:
            db.session.expire(chosen, ["status"])  # set without reading: the count is redone
            chosen.status = status
            db.session.commit()
        kept, real = counted(event_id)
        assert kept == real, (action, who, status)


def test_a_full_event_sends_the_next_registrant_to_the_waitlist(make_event, make_registration):
    event = make_event(capacity=1)
    first = make_registration(event)
    second = make_registration(event)

    assert first.status == RegistrationStatus.CONFIRMED
    assert second.status == RegistrationStatus.WAITLISTED
    assert counted(event.id) == (1, 1)

    promoted = cancel(first)

    assert [registration.id for registration in promoted] == [second.id]
    assert counted(event.id) == (1, 1)


def test_a_status_set_without_its_old_value_recounts_the_event(make_event, make_registration):
    event = make_event(capacity=5)
    registrations = [make_registration(event) for _ in range(3)]
    db.session.execute(db.update(Event).where(Event.id == event.id).values(confirmed_seats=0))
    db.session.commit()

    db.session.expire(registrations[0], ["status"])
    registrations[0].status = RegistrationStatus.CONFIRMED
    db.session.commit()

    assert counted(event.id) == (3, 3)


def test_a_registration_is_not_an_edit_of_the_event(make_event, make_registration, frozen_clock):
    event = make_event(capacity=5)
    edited = event.updated_at

    frozen_clock.advance(timedelta(hours=1))
    make_registration(event)

    db.session.expire_all()
    assert db.session.get(Event, event.id).updated_at == edited
