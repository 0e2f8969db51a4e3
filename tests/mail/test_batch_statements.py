"""The database work of a batch does not grow with its size: no query or update per message."""

import contextlib
import re
from collections import Counter

import pytest
from sqlalchemy import event as sa_event

from eventsvc import clock
from eventsvc.extensions import db
from eventsvc.mail import messages
from eventsvc.mail.dispatcher import dispatch_due
from eventsvc.models import MessageKind, MessageStatus
from tests.mail.sinks import outbox_rows


@pytest.fixture
def app_config():
    """Outcomes written once per batch here, to count what building and sending cost (they are
    written every ``MAIL_OUTCOME_GROUP`` messages otherwise: see test_faults)."""
    return {"MAIL_OUTCOME_GROUP": 100, "MAIL_OUTCOME_INTERVAL": 600}


_AFTER_CTE = re.compile(r"\s*WITH\b.*?\)\s*(SELECT|UPDATE|INSERT|DELETE)\b", re.I | re.S)


@contextlib.contextmanager
def counting_statements():
    """Counts every statement sent to the database, by what it does (SELECT, UPDATE…): its
    first word, or the one after its CTE (the claim on PostgreSQL is ``WITH … UPDATE``)."""
    seen: Counter = Counter()

    def count(conn, cursor, statement, parameters, context, executemany):
        after_cte = _AFTER_CTE.match(statement)
        seen[(after_cte[1] if after_cte else statement.split(None, 1)[0]).upper()] += 1

    sa_event.listen(db.engine, "before_cursor_execute", count)
    try:
        yield seen
    finally:
        sa_event.remove(db.engine, "before_cursor_execute", count)


def queue_confirmations(make_event, make_registration, count: int) -> None:
    event = make_event()
    for n in range(count):
        make_registration(event, email=f"p{n}@example.org", language=("en", "fr")[n % 2])
    db.session.remove()


@pytest.mark.parametrize("count", [3, 30])
def test_a_batch_costs_the_same_statements_whatever_its_size(
    smtp_app, smtp, make_event, make_registration, count
):
    """Real messages (invites included): building one loads nothing more from the database."""
    queue_confirmations(make_event, make_registration, count)

    with counting_statements() as seen:
        report = dispatch_due(batch_size=count, build=messages.build)

    assert (report.sent, report.batches) == (count, 1)
    assert len(smtp.messages) == count
    # before each claim, a look for a message to many that is due (none here); claim, rows
    # with registrations, their events, the events' texts, the rows sent; then the empty claim
    # that ends the run
    assert seen == Counter({"UPDATE": 3, "SELECT": 2 + 3})


def test_every_row_of_a_batch_is_marked_sent_by_one_update(
    smtp_app, smtp, make_event, make_registration, build
):
    queue_confirmations(make_event, make_registration, 5)

    with counting_statements() as seen:
        dispatch_due(batch_size=5, build=build)

    assert seen["UPDATE"] == 3  # the claim, the rows sent, the empty claim
    rows = outbox_rows(MessageKind.CONFIRMATION)
    assert len(rows) == 5
    for row in rows:
        assert row.status == MessageStatus.SENT
        assert row.attempts == 1
        assert row.sent_at == clock.now()
        assert (row.claimed_by, row.claimed_until, row.last_error) == (None, None, "")


def test_refusals_failures_and_cancellations_of_a_batch_are_recorded_together(
    smtp_app, smtp, make_event, make_registration, build
):
    event = make_event()
    people = [make_registration(event, email=f"p{n}@example.org") for n in range(4)]
    addresses = [person.email for person in people]
    smtp.refuse(addresses[1])
    people[2].anonymised_at = clock.now()
    db.session.commit()
    db.session.remove()

    with counting_statements() as seen:
        report = dispatch_due(batch_size=10, build=build)

    assert (report.sent, report.failed, report.cancelled) == (2, 1, 1)
    # claim, rows sent, the others in one executemany, the empty claim
    assert seen["UPDATE"] == 4
    by_address = {row.registration.email: row for row in outbox_rows(MessageKind.CONFIRMATION)}
    assert by_address[addresses[0]].status == MessageStatus.SENT
    refused = by_address[addresses[1]]
    assert (refused.status, refused.attempts) == (MessageStatus.FAILED, 1)
    assert refused.last_error.startswith("550")
    erased = by_address[addresses[2]]
    assert (erased.status, erased.attempts) == (MessageStatus.CANCELLED, 0)
    assert erased.claimed_until is None
    assert by_address[addresses[3]].status == MessageStatus.SENT
