"""The demo's past webinar after `flask demo-data`: registered beforehand through the service,
its generated Zoom report imported through the attendance service (most rows matched, a few
unmatched), its follow-up sent; the organiser's attendance pages show the rates."""

import csv
import io

import pytest
from sqlalchemy import func, select

from eventsvc import clock
from eventsvc.demo.attendance import PAST_REGISTRANTS, PAST_WEBINAR, UNMATCHED, zoom_report
from eventsvc.extensions import db
from eventsvc.models import (
    AttendanceReport,
    Event,
    MessageKind,
    MessageStatus,
    OutboxMessage,
    Registration,
)
from eventsvc.models.attendance import AttendanceRow, RowState
from eventsvc.services import attendance, broadcasts, follow_ups
from eventsvc.services.attendance_reports import parse
from tests.factories import DEFAULT_NOW
from tests.public.html import page, text


@pytest.fixture
def webinar(runner):
    result = runner.invoke(args=["demo-data"])
    assert result.exit_code == 0, result.output
    return db.session.scalars(select(Event).where(Event.slug == PAST_WEBINAR)).one()


def test_the_past_webinar_was_registered_for_before_it_took_place(webinar, frozen_clock):
    assert webinar.is_past()
    people = list(
        db.session.scalars(select(Registration).where(Registration.event_id == webinar.id))
    )
    assert len(people) == PAST_REGISTRANTS
    assert all(person.created_at < webinar.starts_at for person in people)
    assert clock.now() == DEFAULT_NOW  # the loader gave the clock back


def test_its_zoom_report_is_imported_most_rows_matched_a_few_not(webinar):
    summary = attendance.attendance_summary(webinar)
    assert summary.reports == 1
    assert summary.registered == PAST_REGISTRANTS
    assert 0 < summary.attended < summary.present < summary.registered  # early leavers, no-shows
    assert 0.5 <= summary.rate < 0.9
    # The figures docs/organiser.md quotes.
    assert (summary.registered, summary.present, summary.attended) == (16, 13, 11)
    assert summary.unmatched == len(UNMATCHED)
    states = dict(
        db.session.execute(
            select(AttendanceRow.state, func.count())
            .where(AttendanceRow.event_id == webinar.id)
            .group_by(AttendanceRow.state)
        ).all()
    )
    assert states[RowState.MATCHED] > 4 * states[RowState.UNMATCHED]
    report = db.session.scalars(select(AttendanceReport)).one()
    assert report.format == "zoom" and report.filename.endswith(".csv")


def test_the_report_is_zoom_s_shape_and_importing_it_again_changes_nothing(webinar):
    content = zoom_report(webinar)
    assert content.startswith("\ufeff".encode())
    header = next(csv.reader(io.StringIO(content.decode("utf-8-sig"))))
    assert header[:5] == [
        "Name (original name)",
        "User email",
        "Join time",
        "Leave time",
        "Duration (minutes)",
    ]
    assert parse(content).format == "zoom"
    again = attendance.import_report(webinar, content, timezone=webinar.timezone)
    assert again.already_imported


def test_its_follow_up_was_sent_to_every_confirmed_registrant(webinar):
    follow_up = follow_ups.follow_up_for(webinar)
    assert follow_up is not None and follow_up.queued_at is not None
    sent = db.session.scalars(
        select(OutboxMessage).where(
            OutboxMessage.event_id == webinar.id, OutboxMessage.kind == MessageKind.FOLLOW_UP
        )
    ).all()
    assert len(sent) == PAST_REGISTRANTS
    assert {message.status for message in sent} == {MessageStatus.SENT}
    variants = {message.payload["variant"] for message in sent}
    assert variants == {"attended", "absent"}
    someone = db.session.get(Registration, sent[0].registration_id)
    assert follow_ups.personal_view(someone).body
    # Nothing of the demo is left for a mail worker to send.
    assert not db.session.scalars(
        select(OutboxMessage).where(OutboxMessage.status == MessageStatus.PENDING)
    ).all()
    assert not broadcasts.live(webinar, list(MessageKind))


def test_the_attendance_pages_show_the_rates(webinar, admin):
    summary = attendance.attendance_summary(webinar)
    response = admin.get(f"/organiser/events/{webinar.slug}/attendance")
    assert response.status_code == 200
    soup = page(response)
    assert text(soup.select_one("#attendance-rate")) == f"{100 * summary.rate:.0f} %" == "69 %"
    rates = [text(cell) for cell in soup.select("table tbody tr td:last-child")]
    assert sum(rate.endswith(" %") for rate in rates) >= 3  # by country, language, interpretation
    unmatched = admin.get(f"/organiser/events/{webinar.slug}/attendance/unmatched")
    assert unmatched.status_code == 200
    assert "Samuel Osei" in unmatched.text and "iPad de Lucía" in unmatched.text
    follow_up = admin.get(f"/organiser/events/{webinar.slug}/follow-up")
    assert follow_up.status_code == 200
