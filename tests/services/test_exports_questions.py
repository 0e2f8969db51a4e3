"""The event's own questions in the registrations export: one column per question, titled and
filled in the export's language, formula-safe, sensitive ones only when asked for."""

import csv
import io
from datetime import date

from openpyxl import load_workbook

from eventsvc.extensions import db
from eventsvc.services import exports, questions
from eventsvc.unit_of_work import unit_of_work
from tests.services.test_questions import age_groups, answer, every_type, role


def rows(event, **options) -> list[list]:
    data = b"".join(exports.csv_chunks(exports.registration_rows(event.id, **options)))
    return list(csv.reader(io.StringIO(data.decode("utf-8-sig"))))


def test_one_column_per_question_in_the_exports_language(app, make_event):
    event = make_event()
    items = every_type()
    with unit_of_work():
        questions.set_questions(db.session.merge(event), items)
    answer(
        event,
        role="teacher",
        age_groups=["under3", "age3to6"],
        ministry='=HYPERLINK("http://evil")',
        children=12,
        born=date(1990, 5, 1),
        first_time=True,
        accessibility={"needs": ["captions", "other"], "sign_language": "", "other": "Ramp"},
    )
    answer(event, email="nobody@example.org")

    header, first, second = rows(event, locale="fr")
    base = len(exports.header("fr"))
    titles = header[base:]
    assert titles[:2] == ["Votre fonction", "Âges des enfants"]
    assert "born" not in titles and len(titles) == len(items) - 1  # sensitive left out
    assert titles[-1] == "Besoins d’accessibilité (facultatif)"
    cells = first[base:]
    assert cells[0] == "Enseignant·e"
    assert cells[1] == "Moins de 3 ans, 3 à 6 ans"
    assert cells[3] == '\'=HYPERLINK("http://evil")'  # formula-safe
    assert "Sous-titres; Autres besoins: Ramp" in first
    assert "Oui" in first and "12" in first
    assert second[base:] == [""] * len(titles)

    with_sensitive = rows(event, locale="en", include_sensitive=True)
    assert len(with_sensitive[0]) == base + len(items)
    assert "1990-05-01" in with_sensitive[1]


def test_a_retired_question_keeps_its_column_under_its_label(app, make_event):
    event = make_event()
    with unit_of_work():
        questions.set_questions(db.session.merge(event), [role(), age_groups()])
    answer(event, role="ngo")
    with unit_of_work():
        questions.set_questions(db.session.merge(event), [{**role(), "retired": True}])
    header, first = rows(event, locale="en")
    assert header[-1] == "Your role" and first[-1] == "NGO staff"


def test_the_xlsx_export_has_the_question_columns(app, make_event):
    event = make_event()
    with unit_of_work():
        questions.set_questions(db.session.merge(event), [role()])
    answer(event, role="official")
    data = b"".join(
        exports.xlsx_chunks(exports.registration_rows(event.id, "en", zone=event.timezone))
    )
    sheet = load_workbook(io.BytesIO(data)).active
    values = list(sheet.values)
    assert values[0][-1] == "Your role"
    assert values[1][-1] == "Official"
