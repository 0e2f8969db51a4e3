"""One broadcast per key on PostgreSQL, where two organisers' transactions really overlap: the
week's digest is written once however the publications interleave."""

import threading
import time

from sqlalchemy import select, text

from eventsvc.extensions import db
from eventsvc.models import Broadcast, BroadcastStatus, Event, MessageKind
from eventsvc.services import events as event_service
from eventsvc.unit_of_work import unit_of_work

WAIT = 30  # seconds: an upper bound, never an expectation


def _waiting_on_a_lock() -> bool:
    """Whether a connection to this database waits for another's row or index entry (asked in
    a transaction of its own: PostgreSQL keeps one view of the activity per transaction)."""
    with db.engine.connect() as connection:
        return bool(
            connection.scalar(
                text(
                    "SELECT count(*) FROM pg_stat_activity"
                    " WHERE datname = current_database() AND wait_event_type = 'Lock'"
                )
            )
        )


def test_two_organisers_publishing_at_once_write_one_weekly_digest_on_postgres(app, make_event):
    """The first publication has written the week's digest and not committed yet when the
    second looks for it: the second must wait and add its event, not write a second digest."""
    ids = [
        make_event(slug=slug, status="draft", title={"fr": slug, "en": slug, "es": slug}).id
        for slug in ("one", "two")
    ]
    db.session.commit()
    written, release = threading.Event(), threading.Event()
    failures: list[BaseException] = []

    def publish(event_id: int, *, hold: bool) -> None:
        with app.app_context():
            try:
                if not hold:
                    written.wait(WAIT)
                with unit_of_work():
                    event_service.publish_event(db.session.get(Event, event_id))
                    if hold:
                        written.set()
                        release.wait(WAIT)
            except BaseException as exc:  # reported below, in the test's thread
                failures.append(exc)
            finally:
                db.session.remove()

    first = threading.Thread(target=publish, args=(ids[0],), kwargs={"hold": True})
    second = threading.Thread(target=publish, args=(ids[1],), kwargs={"hold": False})
    first.start()
    second.start()
    deadline = time.monotonic() + WAIT
    # The second is through (it did not wait: the race) or waits on the first's digest.
    while second.is_alive() and not _waiting_on_a_lock() and time.monotonic() < deadline:
        time.sleep(0.02)
    release.set()
    first.join(WAIT)
    second.join(WAIT)

    assert failures == []
    db.session.expire_all()
    digests = db.session.scalars(
        select(Broadcast).where(Broadcast.kind == MessageKind.DIGEST).order_by(Broadcast.id)
    ).all()
    assert [(d.status, sorted(e for e, _ in d.payload["events"])) for d in digests] == [
        (BroadcastStatus.SCHEDULED, sorted(ids))
    ]
