"""Join link openings on PostgreSQL: openings at the same moment all count (one UPDATE computed
by the database, no read-modify-write), and the first opening is never overwritten."""

import threading
from datetime import timedelta

from eventsvc.extensions import db
from eventsvc.models import Registration
from eventsvc.services import joins
from eventsvc.unit_of_work import unit_of_work

THREADS = 8
OPENINGS_EACH = 15


def test_concurrent_openings_all_count_on_postgres(app, make_event, make_registration):
    event = make_event()
    person = make_registration(event)
    start = event.starts_at
    barrier = threading.Barrier(THREADS)
    failures = []

    def opener(number):
        with app.app_context():
            try:
                registration = db.session.get(Registration, person.id)
                barrier.wait()
                for n in range(OPENINGS_EACH):
                    with unit_of_work():
                        at = start + timedelta(seconds=number * OPENINGS_EACH + n)
                        joins.record_opening(registration, at)
            except Exception as exc:  # reported below, with the thread's number
                failures.append((number, exc))
            finally:
                db.session.remove()

    threads = [threading.Thread(target=opener, args=(n,)) for n in range(THREADS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert failures == []
    db.session.expire_all()
    stored = db.session.get(Registration, person.id)
    assert stored.join_count == THREADS * OPENINGS_EACH
    assert stored.join_first_at is not None
    assert start <= stored.join_first_at <= stored.join_last_at
    assert joins.openings(event).openings == THREADS * OPENINGS_EACH
