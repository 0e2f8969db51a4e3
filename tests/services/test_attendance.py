"""The attendance rule and the counting of rows: the contract other slices read."""

from datetime import UTC, datetime, timedelta

from eventsvc.extensions import db
from eventsvc.models import Attendance, AttendanceReport, AttendanceRow, ReportFormat, RowState
from eventsvc.services import attendance
from eventsvc.unit_of_work import unit_of_work
from tests.factories import create_event, register_someone

START = datetime(2026, 12, 6, 12, 30, tzinfo=UTC)  # 13:30 in Paris, the factory's default


def _rows(event, *specs, digest="a" * 64):
    """Store a report whose rows are (registration, join offset minutes, leave offset minutes)
    or (registration, None, minutes) for a duration alone."""
    report = AttendanceReport(
        event_id=event.id, format=ReportFormat.GENERIC, content_sha256=digest, filename="x.csv"
    )
    for line, (registration, start, end) in enumerate(specs, start=2):
        row = AttendanceRow(
            event_id=event.id,
            line=line,
            state=RowState.MATCHED,
            registration_id=registration.id,
            email=registration.email,
        )
        if start is None:
            row.minutes = end
        else:
            row.joined_at = START + timedelta(minutes=start)
            row.left_at = START + timedelta(minutes=end)
            row.minutes = end - start
        report.rows.append(row)
    db.session.add(report)
    attendance.recompute(event)


def test_default_rule_is_half_the_duration(app):
    event = create_event()  # one hour
    half, less = register_someone(event), register_someone(event)
    with unit_of_work():
        _rows(event, (half, 0, 30), (less, 0, 29))
    assert attendance.threshold_minutes(event) == 30
    assert attendance.attended_registration_ids(event) == {half.id}
    assert attendance.minutes_attended(half) == 30
    assert attendance.minutes_attended(less) == 29


def test_nobody_in_a_report_has_no_minutes(app):
    event = create_event()
    absent = register_someone(event)
    assert attendance.minutes_attended(absent) is None
    assert attendance.attended_registration_ids(event) == set()


def test_rejoins_add_up_and_overlaps_count_once(app):
    event = create_event()
    person = register_someone(event)
    with unit_of_work():
        # 0–20 on a laptop, 10–25 on a phone (overlap), back 40–50: 25 + 10 minutes.
        _rows(event, (person, 0, 20), (person, 10, 25), (person, 40, 50))
    record = db.session.query(Attendance).one()
    assert record.minutes == 35
    assert record.first_joined_at == START
    assert record.last_joined_at == START + timedelta(minutes=40)
    assert record.attended


def test_a_duration_without_times_adds_to_the_intervals(app):
    event = create_event()
    person = register_someone(event)
    with unit_of_work():
        _rows(event, (person, 0, 10), (person, None, 12))
    assert attendance.minutes_attended(person) == 22


def test_a_rule_in_minutes_or_percent_recomputes_attended(app):
    event = create_event()
    person = register_someone(event)
    with unit_of_work():
        _rows(event, (person, 0, 20))
    assert attendance.attended_registration_ids(event) == set()
    with unit_of_work():
        attendance.set_rule(event, minutes=15, percent=None)
    assert attendance.attended_registration_ids(event) == {person.id}
    with unit_of_work():
        attendance.set_rule(event, minutes=None, percent=34)  # 21 minutes of 60
    assert attendance.attended_registration_ids(event) == set()
    with unit_of_work():
        attendance.set_rule(event, minutes=None, percent=None)
    assert event.attended_percent == 50


def test_union_ignores_empty_and_reversed_intervals():
    t = START
    assert attendance.union_seconds([]) == 0
    assert attendance.union_seconds([(t, t), (t + timedelta(minutes=5), t)]) == 0
    nested = [(t, t + timedelta(minutes=30)), (t + timedelta(minutes=5), t + timedelta(minutes=6))]
    assert attendance.union_seconds(nested) == 30 * 60
