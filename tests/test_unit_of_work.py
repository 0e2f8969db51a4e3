"""The unit of work is the one place a transaction ends: it commits what the block did, rolls
everything back when the block raises, frees the event lock either way, and runs the work
queued for after the commit only once the commit succeeded."""

import threading

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from eventsvc.extensions import db
from eventsvc.models import Event, OutboxMessage, Registration
from eventsvc.services import DomainError
from eventsvc.services.inputs.registration import RegistrationInput
from eventsvc.services.locking import lock_event
from eventsvc.services.registrations import register
from eventsvc.unit_of_work import after_commit, transactional, unit_of_work


def _rows(model) -> int:
    return db.session.scalar(select(func.count()).select_from(model))


def _lock_from_another_thread(app, event_id: int, timeout: float = 20.0) -> bool:
    """Whether a writer in another thread (its own session) takes and ends the event's lock."""
    done = threading.Event()

    def writer():
        with app.app_context(), unit_of_work():
            lock_event(event_id)
        done.set()

    thread = threading.Thread(target=writer, daemon=True)
    thread.start()
    thread.join(timeout)
    return done.is_set()


def _data(email="ana@example.org") -> RegistrationInput:
    return RegistrationInput(full_name="Ana", email=email, language="fr")


def test_a_block_that_raises_leaves_nothing_and_frees_the_event_lock(app, make_event):
    event = make_event(capacity=10)
    with pytest.raises(DomainError), unit_of_work():
        register(event, _data())
        assert _rows(Registration) == 1 and _rows(OutboxMessage) >= 1
        raise DomainError("refused after the writes")

    assert _rows(Registration) == 0
    assert _rows(OutboxMessage) == 0
    assert db.session.get(Event, event.id).confirmed_seats == 0
    assert _lock_from_another_thread(app, event.id)


def test_a_block_that_succeeds_commits_and_frees_the_event_lock(app, make_event):
    event = make_event(capacity=10)
    with unit_of_work():
        register(event, _data())
    assert _lock_from_another_thread(app, event.id)

    db.session.close()  # read what another session sees: the commit, not this session's state
    assert _rows(Registration) == 1
    assert db.session.get(Event, event.id).confirmed_seats == 1


def test_work_after_the_commit_runs_only_after_a_commit(app):
    ran: list[str] = []
    with unit_of_work():
        after_commit(lambda: ran.append("committed"))
        assert ran == []
    assert ran == ["committed"]

    with pytest.raises(RuntimeError), unit_of_work():
        after_commit(lambda: ran.append("rolled back"))
        raise RuntimeError
    with unit_of_work():
        pass
    assert ran == ["committed"]


def test_transactional_makes_a_function_one_unit_of_work(app, make_event):
    event = make_event(capacity=10)

    @transactional
    def register_twice_then_fail():
        register(event, _data("a@example.org"))
        register(event, _data("b@example.org"))
        raise DomainError("the second thought")

    with pytest.raises(DomainError):
        register_twice_then_fail()
    assert _rows(Registration) == 0
    assert _lock_from_another_thread(app, event.id)


def test_no_listener_of_eventsvc_hangs_on_every_session_of_the_process(app):
    """The seat count, the page version and the lock release are called where they happen;
    the one listener left (the lock release) is attached to the app's ``db.session`` only."""
    elsewhere = Session(bind=db.engine)  # a session of the process not made by ``db``
    for name in ("before_flush", "after_flush", "after_transaction_end"):
        hooks = [fn.__module__ for fn in getattr(elsewhere.dispatch, name)]
        assert not [module for module in hooks if module.startswith("eventsvc")], name
    elsewhere.close()
    ours = [fn.__module__ for fn in db.session().dispatch.after_transaction_end]
    assert ours.count("eventsvc.services.locking") == 1
