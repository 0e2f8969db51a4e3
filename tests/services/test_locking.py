"""On SQLite, writers through ``lock_event`` queue on a file lock instead of polling SQLite's
busy handler: the turn is held until the transaction ends, the next writer goes as soon as it
is released, and a transaction that has already written never waits on the file."""

import fcntl
import os
import threading

import pytest
from sqlalchemy import text

from eventsvc.extensions import db
from eventsvc.models import Event, Registration
from eventsvc.services.inputs.registration import RegistrationInput
from eventsvc.services.locking import lock_event
from eventsvc.services.registrations import register
from eventsvc.unit_of_work import unit_of_work


@pytest.fixture
def database_uri(sqlite_database):
    """SQLite whatever the backend of the run: the queue exists only there."""
    return sqlite_database


@pytest.fixture
def turn_is_free(database_uri):
    path = database_uri.removeprefix("sqlite:///") + "-writers"

    def check() -> bool:
        descriptor = os.open(path, os.O_RDWR | os.O_CREAT, 0o600)
        try:
            fcntl.flock(descriptor, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            return False
        finally:
            os.close(descriptor)
        return True

    return check


def test_the_turn_is_held_until_the_transaction_ends(make_event, turn_is_free):
    event = make_event()
    assert turn_is_free()

    lock_event(event.id)
    assert not turn_is_free()

    db.session.commit()
    assert turn_is_free()

    lock_event(event.id)
    db.session.rollback()
    assert turn_is_free()


def test_the_next_registration_waits_for_the_turn_then_goes_through(app, make_event):
    event = make_event(capacity=1)
    event_id = event.id
    outcome = {}

    def second_visitor():
        with app.app_context():
            data = RegistrationInput(full_name="Fatou", email="fatou@example.org", language="fr")
            with unit_of_work():
                outcome["status"] = register(db.session.get(Event, event_id), data).status
            db.session.remove()

    lock_event(event_id)  # an organiser's change in progress
    visitor = threading.Thread(target=second_visitor)
    visitor.start()
    visitor.join(timeout=0.5)
    assert visitor.is_alive(), "the registration should wait for the turn"
    assert "status" not in outcome

    db.session.commit()
    visitor.join(timeout=10)

    assert outcome["status"] == "confirmed"
    assert db.session.scalar(db.select(db.func.count(Registration.id))) == 1


def test_a_transaction_that_has_already_written_does_not_queue(make_event, turn_is_free):
    event = make_event()
    db.session.execute(text("UPDATE event SET capacity = 10 WHERE id = :id"), {"id": event.id})

    lock_event(event.id)

    assert turn_is_free()
    db.session.commit()
