"""The CSV and XLSX downloads as an organiser receives them."""

import csv
import io
from datetime import datetime
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


def test_xlsx_has_real_dates_in_the_events_zone_under_a_styled_frozen_filtered_header(
    signed_in, make_event, make_registration
):
    event = make_event(slug="gps-launch", timezone="America/New_York")
    make_registration(event, full_name="Awa Diop")
    make_registration(event, full_name="Li Wei")
    response = signed_in.get("/organiser/events/gps-launch/registrations.xlsx")
    sheet = load_workbook(io.BytesIO(response.get_data())).worksheets[0]

    registered = sheet.cell(row=2, column=14)
    assert sheet.cell(row=1, column=14).value == "Registered at (America/New_York)"
    assert registered.is_date
    assert registered.value == datetime(2026, 11, 22, 5, 0)  # 10:00 UTC in New York
    assert sheet.cell(row=2, column=15).value is None  # never promoted: an empty cell

    header = sheet.cell(row=1, column=1)
    assert header.font.bold
    assert header.fill.fgColor.rgb.endswith("1F4E79")
    assert sheet.freeze_panes == "A2"
    assert sheet.auto_filter.ref == "A1:S3"  # with the three attendance columns
    # XlsxWriter stores Excel's character width plus its padding (28 → 28.71…).
    assert int(sheet.column_dimensions["C"].width) == 28
    assert int(sheet.column_dimensions["J"].width) == 48


def test_the_french_export_says_statuses_and_languages_in_french(
    signed_in, make_event, make_registration
):
    event = make_event(slug="gps-launch", capacity=1)
    make_registration(event, language="en", interpretation_language="fr", newsletter=True)
    make_registration(event, language="fr")
    signed_in.get("/locale/fr")
    sheet = load_workbook(
        io.BytesIO(signed_in.get("/organiser/events/gps-launch/registrations.xlsx").get_data())
    ).worksheets[0]
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0][1] == "Statut"
    assert rows[0][13] == "Date d’inscription (Europe/Paris)"
    assert rows[1][1:2] + rows[1][7:11] == ("Confirmée", "Anglais", "Français", None, "oui")
    assert rows[2][1] == "En liste d’attente"
    csv_rows = parse_csv(signed_in.get("/organiser/events/gps-launch/registrations.csv").get_data())
    assert csv_rows[1][1] == "Confirmée"
    assert csv_rows[1][7] == "Anglais"


def test_each_format_and_variant_downloads_under_its_own_name(signed_in, make_event):
    make_event(slug="gps-launch")
    names = {
        disposition_filename(signed_in.get(f"/organiser/events/gps-launch/{path}"))
        for path in ("registrations.csv", "registrations.csv?sep=semicolon", "registrations.xlsx")
    }
    assert names == {
        "gps-launch-registrations-2026-11-22.csv",
        "gps-launch-registrations-2026-11-22-semicolons.csv",
        "gps-launch-registrations-2026-11-22.xlsx",
    }
