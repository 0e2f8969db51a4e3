"""The dashboard: every event with its counts, and the state of the mail queue."""

import re
from datetime import timedelta

from sqlalchemy import event as sa_event

from eventsvc import clock
from eventsvc.extensions import db
from eventsvc.models import EventStatus, MessageStatus, OutboxMessage
from eventsvc.services import dashboard
from eventsvc.services.registrations import cancel
from eventsvc.unit_of_work import unit_of_work


def row_cells(html: str, title: str) -> list[str]:
    """The cells of the events table row whose heading holds ``title``."""
    row = re.search(
        r"<tr[^>]*>\s*<th scope=\"row\">.*?" + re.escape(title) + r".*?</tr>", html, re.S
    )
    assert row, title
    return [
        re.sub(r"<[^>]+>", "", cell).strip()
        for cell in re.findall(r"<td[^>]*>(.*?)</td>", row.group(0), re.S)
    ]


def test_dashboard_counts_confirmed_waitlisted_and_cancelled(
    organiser, make_event, make_registration
):
    event = make_event(slug="gps", capacity=2, title={"en": "GPS launch", "fr": "Lancement"})
    first, _second, _third = (make_registration(event) for _ in range(3))
    with unit_of_work():
        cancel(first)  # the waitlisted person moves up

    page = organiser.get("/organiser/")

    cells = row_cells(page.text, "GPS launch")
    assert cells[2:] == ["2", "0", "1", "2"]


def test_upcoming_events_come_first_then_past_ones_and_drafts_are_marked(organiser, make_event):
    make_event(
        slug="past",
        start="2026-10-01T10:00",
        end="2026-10-01T11:00",
        title={"en": "Past webinar", "fr": "Passé"},
    )
    make_event(
        slug="later",
        start="2027-01-10T10:00",
        end="2027-01-10T11:00",
        title={"en": "Later webinar", "fr": "Plus tard"},
    )
    make_event(
        slug="soon",
        start="2026-12-01T10:00",
        end="2026-12-01T11:00",
        status=EventStatus.DRAFT,
        title={"en": "Soon webinar", "fr": "Bientôt"},
    )

    page = organiser.get("/organiser/").text

    positions = [page.index(title) for title in ("Soon webinar", "Later webinar", "Past webinar")]
    assert positions == sorted(positions)
    assert "Draft" in row_cells(page, "Soon webinar")[1]


def test_counts_come_from_one_grouped_query(app, make_event, make_registration):
    events = [make_event() for _ in range(4)]
    for event in events:
        make_registration(event)
    statements = []

    def count(conn, cursor, statement, *args):
        if "FROM registration" in statement:
            statements.append(statement)

    sa_event.listen(db.engine, "before_cursor_execute", count)
    try:
        rows = dashboard.event_rows()
    finally:
        sa_event.remove(db.engine, "before_cursor_execute", count)

    assert [row.counts.confirmed for row in rows] == [1, 1, 1, 1]
    assert len(statements) == 1


def test_mail_queue_shows_pending_due_failed_and_sent(organiser, make_event, make_registration):
    event = make_event(slug="gps", title={"en": "GPS launch", "fr": "Lancement"})
    person = make_registration(event, email="refused@example.org")
    db.session.query(OutboxMessage).delete()
    now = clock.now()

    def message(status, **kw):
        from eventsvc.services.outbox import new_message_id

        db.session.add(
            OutboxMessage(
                kind="reminder",
                registration=person,
                event_id=event.id,
                status=status,
                message_id=new_message_id(),
                **kw,
            )
        )

    message(MessageStatus.PENDING, due_at=now - timedelta(minutes=1))
    message(MessageStatus.PENDING, due_at=now + timedelta(days=1))
    message(MessageStatus.FAILED, last_error="550 5.1.1 Mailbox unavailable")
    message(MessageStatus.SENT, sent_at=now - timedelta(hours=2))
    message(MessageStatus.SENT, sent_at=now - timedelta(days=2))
    db.session.commit()

    page = organiser.get("/organiser/").text

    assert '<dd id="queue-pending">2</dd>' in page
    assert '<dd id="queue-due">1</dd>' in page
    assert '<dd id="queue-failed">1</dd>' in page
    assert '<dd id="queue-sent">1</dd>' in page
    assert "550 5.1.1 Mailbox unavailable" in page
    assert "refused@example.org" in page


def test_registration_counts_separate_confirmed_from_waitlisted(app, make_event, make_registration):
    event = make_event(capacity=1)
    make_registration(event)
    make_registration(event)

    counts = dashboard.registration_counts()[event.id]

    assert (counts.confirmed, counts.waitlisted, counts.cancelled) == (1, 1, 0)
