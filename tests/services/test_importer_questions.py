"""The import file's ``questions`` block (issue 16): the same input as the builder, errors by
path in the file, nothing imported when any is wrong."""

import pytest
from sqlalchemy import func, select

from eventsvc.extensions import db
from eventsvc.models import Event, Question
from eventsvc.services import questions
from eventsvc.services.importer import ImportFailed, import_events
from eventsvc.services.inputs.registration import RegistrationInput
from eventsvc.services.registrations import register
from eventsvc.unit_of_work import unit_of_work
from tests.factories import as_json, document
from tests.services.test_questions import every_type, role


def _event() -> Event:
    return db.session.scalar(select(Event).where(Event.slug == "gps-ecce-launch"))


def _problems(doc) -> list[str]:
    with pytest.raises(ImportFailed) as failure, unit_of_work():
        import_events(as_json(doc))
    return [str(problem) for problem in failure.value.problems]


def test_an_import_gives_the_event_its_questions(app):
    with unit_of_work():
        import_events(as_json(document(questions=every_type())))
    assert [item["key"] for item in questions.as_items(_event())] == [
        item["key"] for item in every_type()
    ]
    # Importing the same file again changes nothing; without the key, questions are kept.
    with unit_of_work():
        report = import_events(as_json(document(questions=every_type())))
    assert report.unchanged == ["gps-ecce-launch"]
    with unit_of_work():
        import_events(as_json(document()))
    assert len(questions.as_items(_event())) == len(every_type())
    # A changed label is an update.
    changed = every_type()
    changed[0]["label"]["en"] = "Your job"
    with unit_of_work():
        report = import_events(as_json(document(questions=changed)))
    assert report.updated == ["gps-ecce-launch"]


def test_an_invalid_questions_block_is_reported_by_path_and_nothing_is_imported(app):
    bad = role()
    bad["choices"][1]["label"] = {"en": "Official"}
    problems = _problems(document(questions=[{"key": "x", "type": "text"}, {}, bad]))
    assert "events[0].questions[2].choices[1].label.fr: Give the text in this language." in (
        problems
    )
    assert any(p.startswith("events[0].questions[0].label.en:") for p in problems)
    assert any(p.startswith("events[0].questions[1].key:") for p in problems)
    assert _event() is None
    assert db.session.scalar(select(func.count(Question.id))) == 0


def test_questions_must_be_a_list(app):
    assert any(p.startswith("events[0].questions:") for p in _problems(document(questions={})))


def test_an_import_cannot_delete_an_answered_question(app):
    with unit_of_work():
        import_events(as_json(document(questions=[role()])))
    with unit_of_work():
        register(
            _event(),
            RegistrationInput(
                full_name="A", email="a@example.org", language="en", answers={"role": "ngo"}
            ),
        )
    problems = _problems(document(questions=[], capacity=10))
    assert problems and problems[0].startswith("events[0].questions:")
    db.session.expire_all()
    assert _event().capacity == 500  # nothing imported
    assert [item["key"] for item in questions.as_items(_event())] == ["role"]
