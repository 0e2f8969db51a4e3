"""An event's own questions: the import format in and out, retire-not-delete, answers stored
typed and read back."""

from datetime import date

import pytest
from sqlalchemy import func, select

from eventsvc.extensions import db
from eventsvc.models import Answer, Question, QuestionChoice
from eventsvc.services import questions
from eventsvc.services.inputs.base import InputErrors
from eventsvc.unit_of_work import unit_of_work


def role(**changes) -> dict:
    item = {
        "key": "role",
        "type": "single_choice",
        "label": {"en": "Your role", "fr": "Votre fonction"},
        "required": True,
        "choices": [
            {"key": "teacher", "label": {"en": "Teacher", "fr": "Enseignant·e"}},
            {"key": "official", "label": {"en": "Official", "fr": "Fonctionnaire"}},
            {"key": "ngo", "label": {"en": "NGO staff", "fr": "Personnel d’ONG"}},
        ],
    }
    item.update(changes)
    return item


def age_groups() -> dict:
    return {
        "key": "age_groups",
        "type": "multiple_choice",
        "label": {"en": "Age groups you work with", "fr": "Âges des enfants"},
        "help": {"en": "Tick all that apply.", "fr": "Cochez tout ce qui s’applique."},
        "choices": [
            {"key": "under3", "label": {"en": "Under 3", "fr": "Moins de 3 ans"}},
            {"key": "age3to6", "label": {"en": "3 to 6", "fr": "3 à 6 ans"}},
        ],
        "show_if": {"question": "role", "in": ["teacher"]},
    }


def breakout() -> dict:
    return {
        "key": "breakout",
        "type": "single_choice",
        "label": {"en": "Breakout group", "fr": "Atelier"},
        "choices": [
            {"key": "policy", "label": {"en": "Policy", "fr": "Politiques"}, "places": 1},
            {"key": "practice", "label": {"en": "Practice", "fr": "Pratique"}},
        ],
    }


def every_type() -> list[dict]:
    both = {"en": "Q", "fr": "Q"}
    return [
        role(),
        age_groups(),
        breakout(),
        {"key": "ministry", "type": "text", "label": both},
        {"key": "story", "type": "long_text", "label": both},
        {"key": "first_time", "type": "boolean", "label": both},
        {"key": "children", "type": "number", "label": both, "min": 0, "max": 500},
        {"key": "born", "type": "date", "label": both, "sensitive": True},
        {"key": "region", "type": "country", "label": both},
        {"key": "photos", "type": "checkbox", "label": both, "required": True},
        {"key": "accessibility", "type": "accessibility"},
    ]


def set_questions(event, items):
    with unit_of_work():
        questions.set_questions(db.session.merge(event), items)


def errors_of(event, items) -> dict:
    with pytest.raises(InputErrors) as failed, unit_of_work():
        questions.set_questions(db.session.merge(event), items)
    return {key: [str(m) for m in messages] for key, messages in failed.value.errors.items()}


def test_every_type_round_trips_through_the_import_format(app, make_event):
    event = make_event()
    items = every_type()
    set_questions(event, items)
    back = questions.as_items(event)
    assert [item["key"] for item in back] == [item["key"] for item in items]
    assert back[0] == {**role(), "required": True}
    assert back[1]["show_if"] == {"question": "role", "in": ["teacher"]}
    assert back[2]["choices"][0]["places"] == 1
    assert back[6]["min"] == 0 and back[6]["max"] == 500
    assert back[7]["sensitive"] is True
    assert back[-1] == {"key": "accessibility", "type": "accessibility", "required": False}
    accessibility = db.session.scalar(select(Question).where(Question.key == "accessibility"))
    assert [c.key for c in accessibility.choices] == ["captions", "sign_language", "other"]
    # Setting the same list again changes nothing.
    set_questions(event, back)
    assert questions.as_items(event) == back


def test_errors_are_reported_by_path(app, make_event):
    event = make_event()
    bad_choice = role()
    bad_choice["choices"][1] = {"key": "official", "label": {"en": "Official"}}
    items = [
        {"key": "x", "type": "text", "label": {"en": "X", "fr": "X"}},
        {"key": "Bad key", "type": "nope", "label": {}},
        bad_choice,
        {"key": "n", "type": "number", "label": {"en": "N", "fr": "N"}, "min": 5, "max": 1},
        {"key": "x", "type": "text", "label": {"en": "X", "fr": "X"}},
        {**age_groups(), "show_if": {"question": "later", "in": ["a"]}},
        {"key": "later", "type": "text", "label": {"en": "L", "fr": "L"}, "colour": "red"},
    ]
    errors = errors_of(event, items)
    assert "questions[1].type" in errors
    assert errors["questions[2].choices[1].label.fr"] == ["Give the text in this language."]
    assert "questions[3].max" in errors
    assert errors["questions[4].key"] == ["Another question has this key."]
    assert "questions[5].show_if.question" in errors
    assert "questions[6].colour" in errors
    assert questions.as_items(event) == []


def test_question_and_choice_keys_share_one_rule(app, make_event):
    """A question's key and a choice's key are read by one function: the same message for a
    badly formed key in both places, and a duplicate choice key only among well-formed ones."""
    event = make_event()
    choices = role()["choices"]
    items = [
        {"key": "Bad key", "type": "text", "label": {"en": "X", "fr": "X"}},
        role(
            choices=[
                {**choices[0], "key": "Teacher!"},
                choices[1],
                {**choices[2], "key": "official"},
                {**choices[0], "key": "Teacher!"},
            ]
        ),
    ]
    errors = errors_of(event, items)
    rule = errors["questions[0].key"]
    assert rule[0].startswith("Use lower-case letters, digits and _ only")
    assert errors["questions[1].choices[0].key"] == rule
    assert errors["questions[1].choices[2].key"] == [
        "Another choice of this question has this key."
    ]
    # A badly formed key is told its form, not that it is taken.
    assert errors["questions[1].choices[3].key"] == rule
    assert "questions[1].choices[1].key" not in errors


def test_the_accessibility_question_takes_no_texts(app, make_event):
    event = make_event()
    errors = errors_of(
        event, [{"key": "accessibility", "type": "accessibility", "label": {"en": "A"}}]
    )
    assert "questions[0].label" in errors
    errors = errors_of(event, [{"key": "access", "type": "accessibility"}])
    assert "questions[0].key" in errors


def test_labels_are_required_in_the_events_required_locales_only(app, make_event):
    event = make_event()
    event.required_locales = ["en"]
    db.session.commit()
    set_questions(event, [{"key": "x", "type": "text", "label": {"en": "X"}}])
    assert questions.as_items(event)[0]["label"] == {"en": "X"}


def answer(event, email="amina@example.org", **values):
    from eventsvc.services.inputs.registration import RegistrationInput
    from eventsvc.services.registrations import register

    with unit_of_work():
        event = db.session.merge(event)
        data = RegistrationInput(
            full_name="Amina", email=email, language="fr", answers=dict(values)
        )
        return register(event, data).registration


def test_answers_are_stored_typed_and_read_back(app, make_event):
    event = make_event()
    set_questions(event, every_type())
    registration = answer(
        event,
        role="teacher",
        age_groups=["under3", "age3to6"],
        breakout="practice",
        ministry="Education",
        first_time=False,
        children=25,
        born=date(1990, 5, 1),
        region="SN",
        photos=True,
        accessibility={"needs": ["captions", "sign_language"], "sign_language": "lsf", "other": ""},
    )
    assert questions.answers_for(registration) == {
        "role": "teacher",
        "age_groups": ["under3", "age3to6"],
        "breakout": "practice",
        "ministry": "Education",
        "first_time": False,
        "children": 25,
        "born": date(1990, 5, 1),
        "region": "SN",
        "photos": True,
        "accessibility": {
            "needs": ["captions", "sign_language"],
            "sign_language": "lsf",
            "other": "",
        },
    }
    # Queryable: teachers working with the under-threes, in SQL.
    teachers = db.session.scalar(
        select(func.count(Answer.id))
        .join(Answer.question)
        .where(Question.key == "children", Answer.number_value > 10)
    )
    assert teachers == 1


def test_answered_questions_and_options_are_retired_not_deleted(app, make_event):
    event = make_event()
    set_questions(event, [role(), breakout()])
    answer(event, role="official", breakout="policy")

    errors = errors_of(event, [breakout()])
    assert list(errors) == ["questions"]
    assert "role" in errors["questions"][0]

    renamed = role(key="function")
    assert "questions" in errors_of(event, [renamed, breakout()])

    retyped = role(type="multiple_choice")
    assert "questions[0].type" in errors_of(event, [retyped, breakout()])

    without_official = role()
    del without_official["choices"][1]
    assert "questions[0].choices" in errors_of(event, [without_official, breakout()])

    # Unanswered: "ngo" and "practice" may go; "official" is retired; labels change.
    edited = role(label={"en": "Your job", "fr": "Votre métier"})
    edited["choices"] = [edited["choices"][0], {**edited["choices"][1], "retired": True}]
    set_questions(event, [edited, {**breakout(), "retired": True}])
    items = questions.as_items(event)
    assert items[0]["label"]["en"] == "Your job"
    assert [c["key"] for c in items[0]["choices"]] == ["teacher", "official"]
    assert items[0]["choices"][1]["retired"] is True
    assert items[1]["retired"] is True
    assert questions.asked_questions(event)[0].live_choices[-1].key == "teacher"
    assert [q.key for q in questions.asked_questions(event)] == ["role"]


def test_unanswered_questions_are_deleted_with_their_options(app, make_event):
    event = make_event()
    set_questions(event, [role(), breakout()])
    set_questions(event, [breakout()])
    assert db.session.scalar(select(func.count(Question.id))) == 1
    assert db.session.scalar(select(func.count(QuestionChoice.id))) == 2


def test_copying_questions_to_another_event(app, make_event):
    source, target = make_event(), make_event()
    set_questions(source, every_type())
    with unit_of_work():
        questions.copy_questions(db.session.merge(source), db.session.merge(target))
    assert questions.as_items(target) == questions.as_items(source)


def test_a_json_body_is_read_by_the_same_fields(app, make_event):
    """The future API hands RegistrationInput.parse a JSON object: typed values, lists for
    several choices, the accessibility answer as an object."""
    from eventsvc.services.inputs.registration import RegistrationInput

    event = make_event()
    set_questions(event, every_type())
    body = {
        "full_name": "Amina",
        "email": "amina@example.org",
        "country": "SN",
        "language": "fr",
        "consent": True,
        "q-role": "teacher",
        "q-age_groups": ["age3to6"],
        "q-first_time": True,
        "q-children": 7,
        "q-photos": True,
        "q-accessibility": {"needs": ["sign_language"], "sign_language": "bsl"},
    }
    data = RegistrationInput.parse(body, db.session.merge(event))
    assert data.answers == {
        "role": "teacher",
        "age_groups": ["age3to6"],
        "first_time": True,
        "children": 7,
        "photos": True,
        "accessibility": {"needs": ["sign_language"], "sign_language": "bsl", "other": ""},
    }
    with pytest.raises(InputErrors) as failed:
        RegistrationInput.parse(
            {**body, "q-children": True, "q-age_groups": "nope", "q-role": "official"},
            db.session.merge(event),
        )
    assert set(failed.value.errors) == {"q-children", "q-age_groups"}
