"""The export generators, parsed back as CSV and XLSX."""

import csv
import io
import zipfile

import pytest
from openpyxl import load_workbook

from eventsvc.extensions import db
from eventsvc.services import exports

ACCENTED_NAMES = ["Élodie Pérez", "Jürgen Müller", "Begoña Muñoz", "Анна Кузнецова"]
TRIGGERS = ["=", "+", "-", "@", "\t", "\r"]
#: Full-width and small forms, and triggers behind zero-width characters.
DISGUISED_TRIGGERS = [
    "＝",
    "＋",
    "－",
    "＠",
    "﹦",
    "\u200b=",
    "\ufeff+",
    "\u200d\u200c@",
    "\u2060-",
]


def parse_csv(data: bytes, delimiter=","):
    assert data.startswith(b"\xef\xbb\xbf")
    text = data.decode("utf-8-sig")
    return list(csv.reader(io.StringIO(text, newline=""), delimiter=delimiter))


def parse_xlsx(data: bytes):
    workbook = load_workbook(io.BytesIO(data), read_only=True)
    sheet = workbook.worksheets[0]
    return [[("" if v is None else v) for v in row] for row in sheet.iter_rows(values_only=True)]


@pytest.fixture
def event_with_people(make_event, make_registration):
    event = make_event(slug="gps-launch")
    for index, name in enumerate(ACCENTED_NAMES):
        make_registration(
            event,
            full_name=name,
            email=f"p{index}@example.org",
            organisation="OMEP Україна",
            country="FR" if index % 2 else "ES",
            interpretation_language="en",
        )
    return event


@pytest.mark.parametrize("trigger", TRIGGERS)
def test_neutralise_prefixes_a_quote_to_every_trigger(trigger):
    assert exports.neutralise(f"{trigger}cmd|' /C calc'!A0") == f"'{trigger}cmd|' /C calc'!A0"


def test_neutralise_leaves_plain_text_and_numbers():
    assert exports.neutralise("Élodie") == "Élodie"
    assert exports.neutralise(-3) == -3
    assert exports.neutralise("") == ""


def test_csv_has_bom_header_and_accented_names(event_with_people):
    rows = parse_csv(b"".join(exports.csv_chunks(exports.registration_rows(event_with_people.id))))
    assert rows[0] == list(exports.header("en"))
    by_name = {row[2]: row for row in rows[1:]}
    assert set(by_name) == set(ACCENTED_NAMES)
    row = by_name["Jürgen Müller"]
    assert row[1] == "Confirmed"
    assert row[4] == "OMEP Україна"
    assert row[5:7] == ["FR", "France"]
    assert row[7:9] == ["French", "English"]
    assert row[10] == "no"
    assert rows[0][13] == "Registered at (UTC)"
    assert row[13] == "2026-11-22T10:00:00Z"


def test_country_names_follow_the_locale(event_with_people):
    rows = list(exports.registration_rows(event_with_people.id, locale="fr"))
    assert {row[6] for row in rows[1:]} == {"France", "Espagne"}


def test_csv_semicolon_delimiter(event_with_people):
    chunks = exports.csv_chunks(exports.registration_rows(event_with_people.id), delimiter=";")
    rows = parse_csv(b"".join(chunks), delimiter=";")
    assert len(rows) == 1 + len(ACCENTED_NAMES)
    assert all(len(row) == len(exports.header("en")) for row in rows)


@pytest.mark.parametrize("trigger", TRIGGERS)
def test_csv_neutralises_formula_in_every_text_field(make_event, make_registration, trigger):
    event = make_event()
    payload = f'{trigger}HYPERLINK("http://evil.test","x")'
    registration = make_registration(event)
    registration.full_name = registration.organisation = registration.question_for_speakers = (
        payload
    )
    db.session.commit()
    rows = parse_csv(b"".join(exports.csv_chunks(exports.registration_rows(event.id))))
    assert rows[1][2] == rows[1][4] == rows[1][9] == "'" + payload


@pytest.mark.parametrize("trigger", TRIGGERS + DISGUISED_TRIGGERS)
def test_xlsx_writes_formula_like_text_as_text_without_a_visible_apostrophe(
    make_event, make_registration, trigger
):
    event = make_event()
    payload = f"{trigger}1+1"
    registration = make_registration(event, full_name="Анна Кузнецова")
    registration.organisation = registration.question_for_speakers = payload
    db.session.commit()
    data = b"".join(exports.xlsx_chunks(exports.registration_rows(event.id)))
    rows = parse_xlsx(data)
    assert rows[0] == list(exports.header("en"))
    assert rows[1][2] == "Анна Кузнецова"
    for value in (rows[1][4], rows[1][9]):
        # XML stores a carriage return as a line feed.
        assert value.replace("\n", "\r") == payload.replace("\n", "\r")
    sheet_xml = zipfile.ZipFile(io.BytesIO(data)).read("xl/worksheets/sheet1.xml").decode()
    assert "<f>" not in sheet_xml  # no formula anywhere: every text is a string cell
    cells = load_workbook(io.BytesIO(data)).worksheets[0]
    assert cells["E2"].data_type == cells["J2"].data_type == "s"


@pytest.mark.parametrize("trigger", DISGUISED_TRIGGERS)
def test_csv_neutralises_full_width_and_zero_width_prefixed_triggers(
    make_event, make_registration, trigger
):
    event = make_event()
    payload = f'{trigger}HYPERLINK("http://evil.test","x")'
    registration = make_registration(event)
    registration.organisation = payload
    db.session.commit()
    rows = parse_csv(b"".join(exports.csv_chunks(exports.registration_rows(event.id))))
    assert rows[1][4] == "'" + payload


@pytest.mark.parametrize("text", ["Élodie", "＿underscore", "\u200bplain", "ｏmep", "—dash"])
def test_text_that_cannot_start_a_formula_is_left_alone(text):
    assert exports.neutralise(text) == text


def test_xlsx_has_every_registration_with_accents(event_with_people):
    rows = parse_xlsx(
        b"".join(exports.xlsx_chunks(exports.registration_rows(event_with_people.id)))
    )
    assert {row[2] for row in rows[1:]} == set(ACCENTED_NAMES)


def test_xlsx_drops_control_characters_it_cannot_store(make_event, make_registration):
    event = make_event()
    make_registration(event, question_for_speakers="line\x0bbreak\x01")
    rows = parse_xlsx(b"".join(exports.xlsx_chunks(exports.registration_rows(event.id))))
    assert rows[1][9] == "linebreak"


def test_csv_comes_in_several_chunks_for_many_rows(make_event):
    rows = ([index, "x" * 100] for index in range(5000))
    chunks = list(exports.csv_chunks(rows))
    assert len(chunks) > 2
    assert max(len(chunk) for chunk in chunks) < 2 * exports.CHUNK_BYTES


def test_content_disposition_has_ascii_and_utf8_names():
    value = exports.content_disposition("événement-registrations-2026-11-22.csv")
    assert 'filename="_v_nement-registrations-2026-11-22.csv"' in value or "filename=" in value
    assert "filename*=UTF-8''%C3%A9v%C3%A9nement-registrations-2026-11-22.csv" in value


@pytest.mark.parametrize(
    ("locale", "floor", "none"),
    [
        ("en", "Floor language, no interpretation", ""),
        ("fr", "Langue originale, sans interprétation", ""),
    ],
)
def test_interpretation_answers_are_named_in_the_export_language(
    make_event, make_registration, locale, floor, none
):
    """Following the floor language is its own answer, named, not the raw ``floor`` code."""
    event = make_event(floor_language="fr", interpretation_languages=("en",))
    make_registration(event, full_name="Floor", interpretation_language="floor")
    make_registration(event, full_name="Unsure", interpretation_language=None)
    rows = {row[2]: row for row in exports.registration_rows(event.id, locale=locale)}
    assert rows["Floor"][8] == floor
    assert rows["Unsure"][8] == none
