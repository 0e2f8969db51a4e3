"""Claiming the outbox on PostgreSQL: ``FOR UPDATE SKIP LOCKED`` keeps workers' claims apart,
and a claim takes no more than its batch whatever plan PostgreSQL picks."""

import threading
from datetime import timedelta

import pytest
from sqlalchemy import event as engine_events

from eventsvc.extensions import db
from eventsvc.mail.dispatcher import claim, due_count

#: With these off, PostgreSQL joins ``id IN (sub-select)`` by a nested loop that runs the
#: sub-select again for each row: the plan it picks by itself when its statistics say the table
#: is nearly empty (as they did on a loaded CI host, where a claim of 2 took 5).
NESTED_LOOP_ONLY = ("enable_hashagg", "enable_sort", "enable_hashjoin", "enable_mergejoin")


@pytest.fixture(params=["planner's choice", "nested loop"])
def plan(request, app):
    """``plan()``: from now on, every connection of the app's engine plans as PostgreSQL
    chooses, or by nested loops (called once the queue is written: writing it that way is slow).
    """
    listening = []

    def nested_loops(connection, _record):
        with connection.cursor() as cursor:
            for setting in (*NESTED_LOOP_ONLY, "enable_material"):
                cursor.execute(f"SET {setting} = off")

    def use() -> None:
        if request.param == "nested loop":
            db.session.remove()
            db.engine.dispose()
            engine_events.listen(db.engine, "connect", nested_loops)
            listening.append(nested_loops)

    yield use
    for listener in listening:
        db.session.remove()
        engine_events.remove(db.engine, "connect", listener)
        db.engine.dispose()


def test_a_claim_takes_no_more_than_its_batch_on_postgres(app, plan, make_event, make_registration):
    event = make_event()
    for _ in range(5):
        make_registration(event)
    plan()

    batches = [claim(2, "worker"), claim(2, "worker"), claim(2, "worker"), claim(2, "worker")]

    assert [len(batch) for batch in batches] == [2, 2, 1, 0]
    assert len({message_id for batch in batches for message_id in batch}) == 5


def test_workers_claiming_at_once_never_share_a_message_on_postgres(
    app, plan, make_event, make_registration
):
    event = make_event()
    for _ in range(60):
        make_registration(event)
    assert due_count() == 60
    plan()
    start = threading.Barrier(4)
    claims: dict[str, list[int]] = {}
    sizes: list[int] = []

    def worker(name):
        with app.app_context():
            start.wait()
            taken = []
            while batch := claim(7, name):
                sizes.append(len(batch))
                taken.extend(batch)
            claims[name] = taken
            db.session.remove()

    threads = [threading.Thread(target=worker, args=(f"w{n}",)) for n in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    every_claim = [message_id for taken in claims.values() for message_id in taken]
    assert max(sizes) <= 7
    assert len(every_claim) == 60
    assert len(set(every_claim)) == 60
    assert due_count() == 0


def test_an_expired_lease_is_taken_by_another_worker_on_postgres(
    app, make_event, make_registration, frozen_clock
):
    make_registration(make_event())
    first = claim(10, "worker-that-dies")
    assert claim(10, "second-worker") == []
    frozen_clock.advance(timedelta(seconds=app.config["MAIL_LEASE_SECONDS"]))
    assert claim(10, "second-worker") == first
