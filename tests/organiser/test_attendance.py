"""The organiser's attendance pages: upload, matching by hand, the attendance page and the
funder's CSV, with the sample reports in the platforms' formats."""

import csv
import io

import pytest

from eventsvc.services import attendance
from tests.data.attendance import make_samples
from tests.factories import create_event, register_people, register_someone

BASE = "/organiser/events/gps-launch/attendance"


@pytest.fixture
def launch(make_event):
    event = make_event(slug="gps-launch")
    return event, register_people(event, make_samples.ROSTER)


@pytest.fixture
def samples(tmp_path):
    return make_samples.write_all(tmp_path)


def _upload(client, path, **fields):
    data = {"format": "", "timezone": "Europe/Paris", **fields}
    if path is not None:
        data["report"] = (io.BytesIO(path.read_bytes()), path.name)
    return client.post(f"{BASE}/upload", data=data, content_type="multipart/form-data")


def test_the_event_page_links_to_attendance(signed_in, launch):
    page = signed_in.get("/organiser/events/gps-launch").get_data(as_text=True)
    assert f'href="{BASE}"' in page


def test_upload_a_teams_report_then_match_and_ignore_by_hand(signed_in, launch, samples):
    event, people = launch
    assert signed_in.get(f"{BASE}/upload").status_code == 200
    response = _upload(signed_in, samples["teams_attendance.csv"])
    assert response.status_code == 303
    assert response.headers["Location"].endswith(f"{BASE}/unmatched")
    page = signed_in.get(f"{BASE}/unmatched").get_data(as_text=True)
    assert "Report imported: 4 rows matched, 1 unmatched, 1 ignored." in page
    assert "Kofi Mensah" in page
    row = attendance.unmatched_rows(event)[0]
    ivan = people["ivan@example.ru"]
    response = signed_in.post(
        f"{BASE}/rows/{row.id}/match", data={f"row{row.id}-registration": str(ivan.id)}
    )
    assert response.status_code == 303
    assert attendance.minutes_attended(ivan) == 58
    page = signed_in.get(f"{BASE}/unmatched").get_data(as_text=True)
    assert "1 row now counts for Иван Петров." in page
    assert "Every row of the reports is matched or ignored." in page


def test_ignore_a_row(signed_in, launch, samples):
    event, _ = launch
    _upload(signed_in, samples["zoom_meeting.csv"])
    rows = attendance.unmatched_rows(event)
    assert {row.name for row in rows} == {"Kofi Mensah", "OMEP Events"}
    for row in rows:
        assert signed_in.post(f"{BASE}/rows/{row.id}/ignore").status_code == 303
    assert attendance.unmatched_rows(event) == []


def test_a_row_of_another_event_is_404(signed_in, launch, samples, make_event):
    other = make_event(slug="other")
    person = register_someone(other, email="x@example.org")
    event, _ = launch
    _upload(signed_in, samples["zoom_meeting.csv"])
    row = attendance.unmatched_rows(event)[0]
    assert (
        signed_in.post(f"/organiser/events/other/attendance/rows/{row.id}/ignore").status_code
        == 404
    )
    # A registration of another event is refused, nothing matched.
    signed_in.post(f"{BASE}/rows/{row.id}/match", data={f"row{row.id}-registration": person.id})
    assert row in attendance.unmatched_rows(event)


def test_the_attendance_page_rate_breakdowns_chart_and_list(signed_in, launch, samples):
    _upload(signed_in, samples["zoom_webinar.csv"])
    page = signed_in.get(BASE).get_data(as_text=True)
    assert 'id="attendance-rate">50 %' in page
    assert 'id="count-attended">2<' in page
    assert "<svg" in page and "People arriving, per five minutes" in page
    assert 'id="attendance-by-country"' in page and "Mexico" in page
    assert 'id="attendance-by-interpretation"' in page
    assert "Μαρία Παπαδοπούλου" in page and "Иван Петров" in page
    only_attended = signed_in.get(f"{BASE}?attended=yes").get_data(as_text=True)
    listed = only_attended.split('id="attendance-list"')[1]
    assert "Ana López" in listed and "Jean Dupont" not in listed
    absent = signed_in.get(f"{BASE}?attended=absent").get_data(as_text=True)
    listed = absent.split('id="attendance-list"')[1]
    assert "Иван Петров" in listed and "Ana López" not in listed
    by_country = signed_in.get(f"{BASE}?country=FR").get_data(as_text=True)
    listed = by_country.split('id="attendance-list"')[1]
    assert "Jean Dupont" in listed and "Ana López" not in listed
    by_interpretation = signed_in.get(f"{BASE}?interpretation=floor").get_data(as_text=True)
    assert "Ana López" not in by_interpretation.split('id="attendance-list"')[1]


def test_the_page_in_french(signed_in, launch, samples):
    _upload(signed_in, samples["zoom_meeting.csv"])
    page = signed_in.get(BASE, headers={"Accept-Language": "fr"}).get_data(as_text=True)
    assert "Présence" in page


def test_a_bad_report_shows_line_and_column_and_stores_nothing(signed_in, launch, tmp_path):
    event, _ = launch
    bad = tmp_path / "bad.csv"
    bad.write_text("email,minutes\na@example.org,-5\n")
    response = _upload(signed_in, bad)
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert "Line 2, column “minutes”: a duration cannot be negative" in page
    assert attendance.attendance_summary(event).reports == 0


def test_a_report_bigger_than_the_cap(signed_in, launch, tmp_path, app):
    event, _ = launch
    app.config["ATTENDANCE_REPORT_MAX_BYTES"] = 1_000_000
    big = tmp_path / "big.csv"
    big.write_bytes(b"email,minutes\n" + b"someone@example.org,30\n" * 200_000)  # 4.6 MB
    response = _upload(signed_in, big)
    assert response.status_code == 422
    assert "The file is 4.6 MB; reports up to 1 MB are accepted." in response.get_data(as_text=True)
    assert attendance.attendance_summary(event).reports == 0


def test_upload_without_a_file(signed_in, launch):
    response = _upload(signed_in, None)
    assert response.status_code == 422
    assert "Choose the report file." in response.get_data(as_text=True)


def test_the_rule_can_be_changed(signed_in, launch, samples):
    event, people = launch
    _upload(signed_in, samples["zoom_meeting.csv"])
    response = signed_in.post(f"{BASE}/rule", data={"minutes": "15", "percent": "50"})
    assert response.status_code == 303
    assert people["jean.dupont@example.org"].id in attendance.attended_registration_ids(event)
    refused = signed_in.post(f"{BASE}/rule", data={"minutes": "", "percent": "150"})
    assert refused.status_code == 422


def test_the_funders_csv(signed_in, launch, samples):
    _upload(signed_in, samples["zoom_meeting.csv"])
    response = signed_in.get(f"{BASE[: -len('/attendance')]}/attendance.csv")
    assert response.status_code == 200
    rows = list(csv.reader(io.StringIO(response.get_data(as_text=True).lstrip("\ufeff"))))
    assert rows[0][:3] == ["Breakdown", "Code", "Value"]
    assert rows[1][3:] == ["4", "2", "50.0"]
    assert ["Country", "GR", "Greece", "1", "1", "100.0"] in rows


def test_an_organiser_not_on_the_event_sees_nothing(app, samples):
    from tests import factories

    create_event(slug="gps-launch")  # not assigned to Otto
    otto = factories.create_account("otto@example.org", "Otto")
    client = app.test_client()
    factories.sign_in(client, otto.email)
    assert client.get(BASE).status_code == 404
    assert _upload(client, samples["generic.csv"]).status_code == 404


def test_the_exports_carry_the_attendance_columns(signed_in, launch, samples):
    from openpyxl import load_workbook

    _upload(signed_in, samples["zoom_meeting.csv"])
    text = signed_in.get("/organiser/events/gps-launch/registrations.csv").get_data(as_text=True)
    rows = list(csv.reader(io.StringIO(text.lstrip("\ufeff"))))
    assert rows[0][-3:] == ["Minutes attended", "Attended", "First join, from the reports (UTC)"]
    by_email = {row[rows[0].index("Email")]: row[-3:] for row in rows[1:]}
    assert by_email["ana.lopez@example.org"] == ["61", "Yes", "2026-12-06T12:29:10Z"]
    assert by_email["jean.dupont@example.org"][:2] == ["20", "No"]
    assert by_email["ivan@example.ru"] == ["", "", ""]
    response = signed_in.get("/organiser/events/gps-launch/registrations.xlsx")
    sheet = load_workbook(io.BytesIO(response.get_data())).worksheets[0]
    titles = [cell.value for cell in sheet[1]]
    assert titles[-1] == "First join, from the reports (Europe/Paris)"
    ana = next(row for row in sheet.iter_rows(min_row=2, values_only=True) if "Ana López" in row)
    assert ana[-3:-1] == (61, "Yes")
    assert ana[-1].strftime("%H:%M:%S") == "13:29:10"
