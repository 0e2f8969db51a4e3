"""The CSV and XLSX downloads as an organiser receives them."""

import csv
import io
from email.message import Message

from openpyxl import load_workbook


def parse_csv(data: bytes, delimiter=","):
    assert data.startswith(b"\xef\xbb\xbf")
    return list(csv.reader(io.StringIO(data.decode("utf-8-sig"), newline=""), delimiter=delimiter))


def disposition_filename(response) -> str:
    message = Message()
    message["Content-Disposition"] = response.headers["Content-Disposition"]
    return message.get_filename()


def test_csv_download_is_streamed_with_dated_file_name(signed_in, make_event, make_registration):
    event = make_event(slug="gps-launch")
    make_registration(event, full_name="Begoña Muñoz", country="ES")
    response = signed_in.get("/organiser/events/gps-launch/registrations.csv")
    assert response.status_code == 200
    assert response.is_streamed
    assert response.mimetype == "text/csv"
    assert disposition_filename(response) == "gps-launch-registrations-2026-11-22.csv"
    rows = parse_csv(response.get_data())
    assert rows[1][2] == "Begoña Muñoz"
    assert rows[1][6] == "Spain"


def test_csv_semicolon_option(signed_in, make_event, make_registration):
    event = make_event(slug="gps-launch")
    make_registration(event, organisation="Save the Children; France")
    for value in ("semicolon", ";"):
        response = signed_in.get(f"/organiser/events/gps-launch/registrations.csv?sep={value}")
        rows = parse_csv(response.get_data(), delimiter=";")
        assert rows[1][4] == "Save the Children; France"


def test_country_names_follow_the_organisers_locale(signed_in, make_event, make_registration):
    event = make_event(slug="gps-launch")
    make_registration(event, country="DE")
    signed_in.get("/locale/fr")
    rows = parse_csv(signed_in.get("/organiser/events/gps-launch/registrations.csv").get_data())
    assert rows[1][6] == "Allemagne"


def test_xlsx_download_is_streamed_and_formula_safe(signed_in, make_event, make_registration):
    event = make_event(slug="gps-launch")
    make_registration(event, full_name="=cmd|'/C calc'!A0", organisation="Jürgen & Söhne")
    response = signed_in.get("/organiser/events/gps-launch/registrations.xlsx")
    assert response.status_code == 200
    assert response.is_streamed
    assert disposition_filename(response) == "gps-launch-registrations-2026-11-22.xlsx"
    sheet = load_workbook(io.BytesIO(response.get_data())).worksheets[0]
    name_cell = sheet.cell(row=2, column=3)
    assert name_cell.value == "=cmd|'/C calc'!A0"  # shown as typed, never evaluated:
    assert name_cell.data_type == "s"  # a string cell
    assert sheet.cell(row=2, column=5).value == "Jürgen & Söhne"


def test_export_of_unknown_event_is_404(signed_in):
    assert signed_in.get("/organiser/events/nope/registrations.csv").status_code == 404
