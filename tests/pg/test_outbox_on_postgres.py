"""Claiming the outbox on PostgreSQL: ``FOR UPDATE SKIP LOCKED`` keeps workers' claims apart."""

import threading
from datetime import timedelta

from eventsvc.extensions import db
from eventsvc.mail.dispatcher import claim, due_count


def test_workers_claiming_at_once_never_share_a_message_on_postgres(
    app, make_event, make_registration
):
    event = make_event()
    for _ in range(60):
        make_registration(event)
    assert due_count() == 60
    start = threading.Barrier(4)
    claims: dict[str, list[int]] = {}

    def worker(name):
        with app.app_context():
            start.wait()
            taken = []
            while batch := claim(7, name):
                taken.extend(batch)
            claims[name] = taken
            db.session.remove()

    threads = [threading.Thread(target=worker, args=(f"w{n}",)) for n in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    every_claim = [message_id for taken in claims.values() for message_id in taken]
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
