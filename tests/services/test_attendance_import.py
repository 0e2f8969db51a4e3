"""Importing the platforms' participant reports: each format, matching, overlaps, zones,
idempotent re-upload, and every bad input storing nothing."""

from datetime import UTC, datetime
from pathlib import Path

import pytest
from sqlalchemy import func, select

from eventsvc.extensions import db
from eventsvc.models import Attendance, AttendanceReport, AttendanceRow, ReportFormat, RowState
from eventsvc.services import DomainError, attendance
from eventsvc.services.attendance_reports import ReportError, parse, parse_minutes, parse_time
from eventsvc.unit_of_work import unit_of_work
from tests.data.attendance import make_samples
from tests.factories import create_event, register_people, register_someone

SAMPLES = Path(make_samples.__file__).parent


@pytest.fixture
def samples(tmp_path):
    """The sample reports, written afresh by the committed script."""
    return make_samples.write_all(tmp_path)


@pytest.fixture
def launch(app):
    """The GPS launch (13:30–14:30 Paris) with the samples' four registrants."""
    event = create_event()
    return event, register_people(event, make_samples.ROSTER)


def _import(event, path, **kw):
    kw.setdefault("timezone", "Europe/Paris")
    with unit_of_work():
        return attendance.import_report(event, Path(path).read_bytes(), filename="r.csv", **kw)


def _minutes(people):
    return {email: attendance.minutes_attended(r) for email, r in people.items()}


def _counts():
    return (
        db.session.scalar(select(func.count()).select_from(AttendanceReport)),
        db.session.scalar(select(func.count()).select_from(AttendanceRow)),
        db.session.scalar(select(func.count()).select_from(Attendance)),
    )


EXPECTED = {
    "ana.lopez@example.org": 61,  # 13:29:10–13:50 and 13:45–14:30: the overlap counted once
    "jean.dupont@example.org": 20,  # no address in the file: matched by name
    "maria@example.gr": 40,
    "ivan@example.ru": None,  # never came
}


@pytest.mark.parametrize(
    "sample, format",
    [
        ("zoom_meeting.csv", ReportFormat.ZOOM),
        ("zoom_meeting_with_header.csv", ReportFormat.ZOOM),
        ("zoom_webinar.csv", ReportFormat.ZOOM),
        ("teams_attendance.csv", ReportFormat.TEAMS),
        ("teams_attendance_comma.csv", ReportFormat.TEAMS),
        ("bbb_learning_dashboard.csv", ReportFormat.BBB),
        ("generic.csv", ReportFormat.GENERIC),
    ],
)
def test_each_format_is_detected_and_counted(launch, samples, sample, format):
    event, people = launch
    result = _import(event, samples[sample])
    assert result.report.format == format
    assert _minutes(people) == EXPECTED
    assert attendance.attended_registration_ids(event) == {
        people["ana.lopez@example.org"].id,
        people["maria@example.gr"].id,
    }
    assert [row.name for row in result.unmatched] == ["Kofi Mensah"] or (
        # Zoom's meeting report and the generic file do not say who hosted: the host is
        # unmatched too, for the organiser to ignore.
        {row.name for row in result.unmatched} == {"Kofi Mensah", "OMEP Events"}
    )
    ana = attendance.attendance_of(people["ana.lopez@example.org"])
    assert ana.first_joined_at == datetime(2026, 12, 6, 12, 29, 10, tzinfo=UTC)


def test_the_files_time_zone_is_asked_when_it_does_not_say(launch, samples):
    event, people = launch
    with pytest.raises(DomainError, match="time zone"):
        _import(event, samples["zoom_meeting.csv"], timezone=None)
    assert _counts() == (0, 0, 0)
    # The same wall times read in New York are six hours later: Ana joins at 18:29 UTC.
    _import(event, samples["zoom_meeting.csv"], timezone="America/New_York")
    ana = attendance.attendance_of(people["ana.lopez@example.org"])
    assert ana.first_joined_at == datetime(2026, 12, 6, 18, 29, 10, tzinfo=UTC)


def test_offsets_in_the_file_need_no_zone(launch, samples):
    event, people = launch
    result = _import(event, samples["generic.csv"], timezone=None)
    assert result.report.timezone == ""
    assert _minutes(people) == EXPECTED


def test_an_unknown_zone_is_refused(launch, samples):
    event, _ = launch
    with pytest.raises(DomainError, match="Unknown time zone"):
        _import(event, samples["zoom_meeting.csv"], timezone="Mars/Olympus")


def test_reuploading_the_same_report_changes_nothing(launch, samples):
    event, people = launch
    first = _import(event, samples["zoom_meeting.csv"])
    before = _counts()
    again = _import(event, samples["zoom_meeting.csv"])
    assert again.already_imported and again.report.id == first.report.id
    assert _counts() == before
    assert _minutes(people) == EXPECTED


def test_another_report_of_the_same_meeting_does_not_double_count(launch, samples):
    """A second export (the Teams CSV after the Zoom file's intervals) overlaps: counted once."""
    event, people = launch
    _import(event, samples["zoom_meeting.csv"])
    _import(event, samples["generic.csv"])
    assert _minutes(people) == EXPECTED


def test_unmatched_rows_are_matched_by_hand_or_ignored(launch, samples):
    event, people = launch
    result = _import(event, samples["zoom_meeting.csv"])
    kofi = next(row for row in result.unmatched if row.name == "Kofi Mensah")
    host = next(row for row in result.unmatched if row.name == "OMEP Events")
    ivan = people["ivan@example.ru"]  # say Kofi used Ivan's seat
    with unit_of_work():
        attendance.match_row(kofi, ivan)
        attendance.ignore_row(host)
    assert attendance.minutes_attended(ivan) == 58
    assert ivan.id in attendance.attended_registration_ids(event)
    assert attendance.unmatched_rows(event) == []
    assert host.state == RowState.IGNORED
    with unit_of_work():
        attendance.ignore_row(kofi)  # changed their mind: Ivan loses the minutes
    assert attendance.minutes_attended(ivan) is None


def test_a_name_shared_by_two_registrants_is_not_guessed(app, tmp_path):
    event = create_event()
    register_someone(event, email="a@example.org", full_name="Ana López")
    register_someone(event, email="b@example.org", full_name="ana lopez")
    content = b"email,name,minutes\n,Ana Lopez,50\n"
    with unit_of_work():
        result = attendance.import_report(event, content)
    assert len(result.unmatched) == 1 and result.matched == []


def test_addresses_match_in_their_normalised_form(app):
    event = create_event()
    person = register_someone(event, email="Zoë@Example.ORG")
    content = "email,minutes\n  zoë@example.org ,45\n".encode()
    with unit_of_work():
        result = attendance.import_report(event, content)
    assert [row.registration_id for row in result.matched] == [person.id]


def test_the_format_can_be_forced(launch, samples):
    event, _ = launch
    with pytest.raises(ReportError):
        _import(event, samples["zoom_meeting.csv"], format=ReportFormat.BBB)
    assert _counts() == (0, 0, 0)


# --- bad input: a clear message naming the row and column, nothing stored -------------------


def _refused(event, content: bytes, **kw) -> str:
    with pytest.raises(DomainError) as caught, unit_of_work():
        attendance.import_report(event, content, timezone="Europe/Paris", **kw)
    assert _counts() == (0, 0, 0)
    return str(caught.value)


def test_unknown_format(launch):
    event, _ = launch
    assert "Unknown report format" in _refused(event, b"a,b,c\n1,2,3\n")


def test_wrong_encoding(launch, samples):
    event, _ = launch
    latin1 = samples["zoom_meeting.csv"].read_bytes().decode("utf-8").encode("latin-1", "replace")
    latin1 = latin1.replace(b"L?pez", b"L\xf3pez")
    message = _refused(event, latin1[1:] if latin1.startswith(b"?") else latin1)
    assert "Line 3" in message and "UTF-8" in message


def test_unparsable_dates_name_the_line_and_column(launch, samples):
    event, _ = launch
    text = samples["zoom_meeting.csv"].read_text("utf-8-sig")
    text = text.replace("12/06/2026 01:35:00 PM", "the 6th at half past one", 1)
    message = _refused(event, text.encode())
    assert "Line 6, column “Join time”: “the 6th at half past one” is not a date" in message


def test_negative_and_absurd_durations(launch):
    event, _ = launch
    message = _refused(event, b"email,minutes\na@example.org,-5\nb@example.org,100000\n")
    assert "Line 2, column “minutes”: a duration cannot be negative" in message
    assert "Line 3, column “minutes”" in message and "more than a day" in message


def test_leaving_before_joining(launch):
    event, _ = launch
    content = b"email,join,leave\na@example.org,2026-12-06T14:00,2026-12-06T13:00\n"
    assert "Line 2, column “leave”: the leave time is before the join time" in _refused(
        event, content
    )


def test_a_file_over_the_size_cap(launch, app):
    event, _ = launch
    big = b"email,minutes\n" + b"someone@example.org,30\n" * (50 * 1024 * 1024 // 23)
    assert "reports up to 10 MB" in _refused(event, big)
    app.config["ATTENDANCE_REPORT_MAX_BYTES"] = 1000
    assert "up to 0.001 MB" in _refused(event, b"email,minutes\n" + b"x@example.org,3\n" * 100)


def test_a_web_page_named_csv(launch):
    event, _ = launch
    page = b"<!DOCTYPE html>\n<html><head><title>Zoom</title></head><body>Sign in</body></html>"
    assert "web page" in _refused(event, page)


def test_a_spreadsheet_named_csv(launch):
    event, _ = launch
    assert "XLSX" in _refused(event, b"PK\x03\x04" + b"\x00" * 100)


def test_an_empty_report(launch):
    event, _ = launch
    assert "empty" in _refused(event, b"  \n")
    assert "lists nobody" in _refused(event, b"email,minutes\n")


# --- the readers of values -------------------------------------------------------------------


@pytest.mark.parametrize(
    "text, expected",
    [
        ("12/06/2026 01:29:40 PM", datetime(2026, 12, 6, 13, 29, 40)),
        ("06/12/2026 13:29", datetime(2026, 12, 6, 13, 29)),  # day first: nearer the event
        ("12/6/26, 1:29:40\u202fPM", datetime(2026, 12, 6, 13, 29, 40)),
        ("6.12.2026, 13:29:40", datetime(2026, 12, 6, 13, 29, 40)),
        ("2026-12-06T13:29:40", datetime(2026, 12, 6, 13, 29, 40)),
        ("6/12/2026, 1:29:40 p.m.", datetime(2026, 12, 6, 13, 29, 40)),
        ("12/6/2026 12:05 AM", datetime(2026, 12, 6, 0, 5)),
        ("2026/12/06 13:29:40", datetime(2026, 12, 6, 13, 29, 40)),
    ],
)
def test_times_as_the_platforms_write_them(text, expected):
    assert parse_time(text, near=datetime(2026, 12, 6, 13, 30)) == expected


@pytest.mark.parametrize("text", ["13/13/2026 10:00", "12/06/2026 13:00 PM", "yesterday", ""])
def test_what_is_not_a_time(text):
    with pytest.raises(ValueError):
        parse_time(text, near=datetime(2026, 12, 6, 13, 30))


def test_iso_offsets_are_kept():
    assert parse_time("2026-12-06T13:29:40+01:00", None).utcoffset().total_seconds() == 3600


@pytest.mark.parametrize(
    "text, minutes",
    [("42", 42), ("42.5", 42.5), ("1h 5m 30s", 65.5), ("45m 3s", 45.05), ("01:05:30", 65.5)],
)
def test_durations_as_the_platforms_write_them(text, minutes):
    assert parse_minutes(text) == pytest.approx(minutes)


def test_the_old_teams_list_of_joins_and_leaves():
    content = (
        "Full Name\tUser Action\tTimestamp\n"
        "Ana López\tJoined\t12/6/2026, 1:30:00 PM\n"
        "Ana López\tLeft\t12/6/2026, 1:50:00 PM\n"
        "Ana López\tJoined\t12/6/2026, 2:00:00 PM\n"
        "Jean Dupont\tJoined\t12/6/2026, 1:35:00 PM\n"
        "Jean Dupont\tLeft\t12/6/2026, 2:20:00 PM\n"
    ).encode("utf-16")
    report = parse(content, near=datetime(2026, 12, 6, 13, 30))
    assert report.format == ReportFormat.TEAMS
    assert [(row.name, row.minutes) for row in report.rows] == [
        ("Ana López", 20),
        ("Ana López", 20),  # still there when the report was taken (the last time seen)
        ("Jean Dupont", 45),
    ]


def test_summary_breakdowns_arrivals_and_the_funders_rows(launch, samples):
    event, people = launch
    _import(event, samples["zoom_meeting.csv"])
    summary = attendance.attendance_summary(event)
    assert (summary.registered, summary.attended, summary.present) == (4, 2, 3)
    assert summary.rate == 0.5 and summary.unmatched == 2 and summary.threshold == 30
    by_country = {
        item.value: (item.registered, item.attended)
        for item in attendance.attendance_by(event, "country")
    }
    assert by_country == {"MX": (1, 1), "FR": (1, 0), "GR": (1, 1), "RU": (1, 0)}
    by_language = {
        i.value: (i.registered, i.attended) for i in attendance.attendance_by(event, "language")
    }
    assert by_language == {"es": (1, 1), "fr": (1, 0), "en": (2, 1)}
    # First arrivals (Paris): Ana 13:29, Maria 13:35, Jean 13:40, in steps of five minutes.
    assert [(moment.strftime("%H:%M"), n) for moment, n in attendance.arrivals(event)] == [
        ("12:25", 1),
        ("12:30", 0),
        ("12:35", 1),
        ("12:40", 1),
    ]
    rows = list(attendance.statistics_rows(event, "fr"))
    assert rows[0] == (
        "Ventilation",
        "Code",
        "Valeur",
        "Inscrits",
        "Présents",
        "Taux de présence (%)",
    )
    assert rows[1][3:] == (4, 2, "50.0")
    assert ("Pays", "MX", "Mexique", 1, 1, "100.0") in rows


def test_a_generic_file_with_spanish_or_french_column_names(app):
    event = create_event()
    person = register_someone(event, email="ana@example.org")
    with unit_of_work():
        attendance.import_report(
            event, "correo electrónico;minutos\nana@example.org;40\n".replace(";", ",").encode()
        )
    assert attendance.minutes_attended(person) == 40
    other = create_event()
    someone = register_someone(other, email="jean@example.org")
    with unit_of_work():
        attendance.import_report(other, "courriel,durée\njean@example.org,12\n".encode())
    assert attendance.minutes_attended(someone) == 12
