"""``flask import-attendance``: counts and rows printed, a bad file storing nothing."""

from sqlalchemy import func, select

from eventsvc.extensions import db
from eventsvc.models import AttendanceReport, AttendanceRow
from eventsvc.services import attendance
from tests.data.attendance import make_samples
from tests.factories import create_event, register_someone


def _launch():
    event = create_event(slug="gps-launch")
    people = [
        register_someone(event, email=p["email"], full_name=p["name"]) for p in make_samples.ROSTER
    ]
    return event, people


def _stored():
    return db.session.scalar(select(func.count()).select_from(AttendanceRow))


def test_import_prints_matched_unmatched_and_ignored_rows(runner, tmp_path, app):
    event, people = _launch()
    path = make_samples.write_all(tmp_path)["zoom_webinar.csv"]
    result = runner.invoke(
        args=["import-attendance", "gps-launch", str(path), "--timezone", "Europe/Paris"]
    )
    assert result.exit_code == 0, result.output
    lines = result.stdout.splitlines()
    assert lines[0] == "Report read as zoom: 4 matched, 1 unmatched, 2 ignored."
    assert "  matched   line 15: Ana López <ANA.Lopez@Example.org>, 21 min" in lines[1]
    assert "-> Ana López <ana.lopez@example.org>" in lines[1]
    assert "  unmatched line 19: Kofi Mensah <kofi@example.org>, 58 min" in lines
    assert any(line.startswith("  ignored   line 8: OMEP Events") for line in lines)
    assert "  ignored   1 listed as absent" in lines
    assert "Attended: 2 of 4 registration(s) (at least 30 minutes)." in lines
    again = runner.invoke(
        args=["import-attendance", "gps-launch", str(path), "--timezone", "Europe/Paris"]
    )
    assert again.exit_code == 0 and "nothing changed" in again.stdout
    assert attendance.minutes_attended(people[0]) == 61


def test_a_file_without_zone_needs_the_option(runner, tmp_path, app):
    _launch()
    path = make_samples.write_all(tmp_path)["teams_attendance.csv"]
    result = runner.invoke(args=["import-attendance", "gps-launch", str(path)])
    assert result.exit_code == 1
    assert "Give --timezone (the event's zone is Europe/Paris)" in result.stderr
    assert _stored() == 0
    forced = runner.invoke(
        args=[
            "import-attendance",
            "gps-launch",
            str(path),
            "--format",
            "teams",
            "--timezone",
            "Europe/Paris",
        ]
    )
    assert forced.exit_code == 0, forced.output


def test_a_bad_file_exits_1_naming_line_and_column(runner, tmp_path, app):
    _launch()
    path = tmp_path / "bad.csv"
    path.write_text("email,minutes\na@example.org,-3\nb@example.org,lots\n")
    result = runner.invoke(args=["import-attendance", "gps-launch", str(path)])
    assert result.exit_code == 1
    errors = result.stderr.splitlines()
    assert errors[0].startswith("Line 2, column “minutes”: a duration cannot be negative")
    assert errors[1] == "Line 3, column “minutes”: “lots” is not a duration."
    assert errors[-1] == "Error: The report could not be imported; nothing was stored."
    assert result.stdout == ""
    assert db.session.scalar(select(func.count()).select_from(AttendanceReport)) == 0


def test_an_unknown_event(runner, tmp_path, app):
    path = tmp_path / "r.csv"
    path.write_text("email,minutes\na@example.org,3\n")
    result = runner.invoke(args=["import-attendance", "nope", str(path)])
    assert result.exit_code == 1 and "No event “nope”" in result.stderr
