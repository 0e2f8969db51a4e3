"""The attendee list filtered by any option of any choice question of the event (issue 16)."""

import re

import pytest

from eventsvc.extensions import db
from eventsvc.services import questions
from eventsvc.unit_of_work import unit_of_work

ITEMS = [
    {
        "key": "role",
        "type": "single_choice",
        "label": {"en": "Your role", "fr": "Votre rôle"},
        "choices": [
            {"key": "teacher", "label": {"en": "Teacher", "fr": "Enseignant·e"}},
            {"key": "official", "label": {"en": "Official", "fr": "Fonctionnaire"}},
        ],
    },
    {
        "key": "age_group",
        "type": "multiple_choice",
        "label": {"en": "Age groups", "fr": "Tranches d’âge"},
        "choices": [
            {"key": "early", "label": {"en": "0–8 years", "fr": "0–8 ans"}},
            {"key": "primary", "label": {"en": "9–12 years", "fr": "9–12 ans"}},
        ],
        "show_if": {"question": "role", "in": ["teacher"]},
    },
    {"key": "accessibility", "type": "accessibility", "sensitive": True},
]


@pytest.fixture
def people(make_event, make_registration):
    event = make_event(slug="gps")
    with unit_of_work():
        questions.set_questions(db.session.merge(event), ITEMS)
    teacher = make_registration(
        event,
        full_name="Tess Teacher",
        answers={
            "role": "teacher",
            "age_group": ["early", "primary"],
            "accessibility": {"needs": ["captions"], "sign_language": "", "other": ""},
        },
    )
    young = make_registration(
        event, full_name="Yan Young", answers={"role": "teacher", "age_group": ["early"]}
    )
    official = make_registration(event, full_name="Olu Official", answers={"role": "official"})
    silent = make_registration(event, full_name="Sam Silent")
    return teacher, young, official, silent


def listed(response) -> list[int]:
    return [int(n) for n in re.findall(r'id="registration-(\d+)"', response.text)]


URL = "/organiser/events/gps/registrations"


@pytest.mark.parametrize(
    ("answer", "expected"),
    [
        ("role:teacher", [0, 1]),
        ("role:official", [2]),
        ("age_group:primary", [0]),
        ("accessibility:captions", [0]),
        ("role:nobody", [0, 1, 2, 3]),  # not an option: the filter is ignored
        ("garbage", [0, 1, 2, 3]),
    ],
)
def test_the_list_filters_by_any_choice_question(signed_in, people, answer, expected):
    response = signed_in.get(URL, query_string={"answer": answer})
    assert response.status_code == 200
    assert listed(response) == [people[i].id for i in expected]


def test_the_filter_offers_every_option_grouped_by_question(signed_in, people):
    page = signed_in.get(URL)
    assert '<optgroup label="Your role">' in page.text
    assert '<option value="age_group:primary">9–12 years</option>' in page.text
    kept = signed_in.get(URL, query_string={"answer": "role:teacher"})
    chosen = re.search(r'<option[^>]*value="role:teacher"[^>]*>', kept.text)[0]
    assert "selected" in chosen
