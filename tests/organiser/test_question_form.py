"""The form builder's page mapped onto question items and the input's errors mapped back
(:mod:`eventsvc.organiser.question_form`), without a database."""

from werkzeug.datastructures import MultiDict

from eventsvc.organiser.question_form import (
    anchor,
    apply_action,
    condition_candidates,
    items_from_form,
    path_id,
    placed_errors,
)

LOCALES = ["en", "fr", "es"]


def form(*pairs):
    data = MultiDict()
    for name, value in pairs:
        data.add(name, value)
    return data


ROLE = [
    ("questions[0].position", "0"),
    ("questions[0].key", " role "),
    ("questions[0].type", "single_choice"),
    ("questions[0].label.en", "Your role"),
    ("questions[0].label.fr", "Votre rôle"),
    ("questions[0].label.es", "  "),
    ("questions[0].help.en", ""),
    ("questions[0].required", "1"),
    ("questions[0].choices[0].key", "teacher"),
    ("questions[0].choices[0].label.en", "Teacher"),
    ("questions[0].choices[0].label.fr", "Enseignant·e"),
    ("questions[0].choices[0].places", ""),
    ("questions[0].choices[1].key", "official"),
    ("questions[0].choices[1].label.en", "Official"),
    ("questions[0].choices[1].places", "12"),
    ("questions[0].choices[1].retired", "1"),
]
AGE = [
    ("questions[1].position", "1"),
    ("questions[1].key", "age_group"),
    ("questions[1].type", "multiple_choice"),
    ("questions[1].label.en", "Age groups"),
    ("questions[1].show_if.question", "role"),
    ("questions[1].show_if.in", "role:teacher"),
    ("questions[1].show_if.in", "other:teacher"),
    ("questions[1].choices[0].key", "primary"),
    ("questions[1].choices[0].label.en", "Primary"),
]


def test_the_page_becomes_the_import_format():
    items = items_from_form(form(*ROLE, *AGE), LOCALES)
    assert items == [
        {
            "key": "role",
            "type": "single_choice",
            "label": {"en": "Your role", "fr": "Votre rôle"},
            "required": True,
            "sensitive": False,
            "retired": False,
            "choices": [
                {"key": "teacher", "label": {"en": "Teacher", "fr": "Enseignant·e"}},
                {"key": "official", "label": {"en": "Official"}, "places": 12, "retired": True},
            ],
        },
        {
            "key": "age_group",
            "type": "multiple_choice",
            "label": {"en": "Age groups"},
            "required": False,
            "sensitive": False,
            "retired": False,
            "choices": [{"key": "primary", "label": {"en": "Primary"}}],
            "show_if": {"question": "role", "in": ["teacher"]},
        },
    ]


def test_the_order_is_the_positions_a_script_set():
    moved = [(name, "0" if name.endswith("position") else value) for name, value in AGE]
    moved += [(name, "1" if name.endswith("position") else value) for name, value in ROLE]
    assert [item["key"] for item in items_from_form(form(*moved), LOCALES)] == ["age_group", "role"]


def test_numbers_typed_wrong_go_to_the_input_as_typed():
    items = items_from_form(
        form(
            ("questions[0].key", "age"),
            ("questions[0].type", "number"),
            ("questions[0].min", "ten"),
            ("questions[0].max", "99"),
        ),
        LOCALES,
    )
    assert items[0]["min"] == "ten"
    assert items[0]["max"] == 99


def test_the_built_in_question_carries_no_texts():
    items = items_from_form(
        form(
            ("questions[0].key", "accessibility"),
            ("questions[0].type", "accessibility"),
            ("questions[0].label.en", "sneaked in"),
            ("questions[0].sensitive", "1"),
        ),
        LOCALES,
    )
    assert items == [
        {
            "key": "accessibility",
            "type": "accessibility",
            "required": False,
            "sensitive": True,
            "retired": False,
        }
    ]


def test_fields_of_other_types_are_left_out():
    items = items_from_form(
        form(
            ("questions[0].key", "city"),
            ("questions[0].type", "text"),
            ("questions[0].label.en", "City"),
            ("questions[0].min", "3"),
            ("questions[0].choices[0].key", "x"),
        ),
        LOCALES,
    )
    assert "min" not in items[0] and "choices" not in items[0]


def test_odd_names_are_ignored():
    items = items_from_form(
        form(("questions[x].key", "a"), ("questions[99999].key", "b"), ("other", "c")), LOCALES
    )
    assert items == []


def test_buttons_move_add_and_delete():
    items = items_from_form(form(*ROLE, *AGE), LOCALES)
    moved, understood = apply_action(items, "up:1")
    assert understood and [i["key"] for i in moved] == ["age_group", "role"]
    unchanged, _ = apply_action(items, "up:0")
    assert [i["key"] for i in unchanged] == ["role", "age_group"]
    added, _ = apply_action(items, "add", "single_choice")
    assert added[-1]["type"] == "single_choice" and len(added[-1]["choices"]) == 2
    built_in, _ = apply_action(items, "add", "accessibility")
    assert built_in[-1]["key"] == "accessibility"
    deleted, _ = apply_action(items, "delete:0")
    assert [i["key"] for i in deleted] == ["age_group"]
    more, _ = apply_action(items, "add-choice:1")
    assert len(more[1]["choices"]) == 2
    fewer, _ = apply_action(items, "remove-choice:0:0")
    assert [c["key"] for c in fewer[0]["choices"]] == ["official"]
    assert items[0]["choices"][0]["key"] == "teacher"  # the list given is not changed
    for nonsense in ("delete:7", "up:", "explode:1", "add"):
        same, understood = apply_action(items, nonsense, "no-such-type")
        assert not understood and same == items


def test_errors_land_on_their_fields_or_the_nearest_group():
    items = items_from_form(form(*ROLE, *AGE), LOCALES)
    assert anchor("questions[0].label.fr", items, LOCALES) == "questions[0].label.fr"
    assert (
        anchor("questions[0].choices[1].label.fr", items, LOCALES)
        == "questions[0].choices[1].label.fr"
    )
    assert anchor("questions[0].choices[1].retired", items, LOCALES) == "questions[0].choices[1]"
    assert anchor("questions[0].choices", items, LOCALES) == "questions[0].choices"
    assert anchor("questions[1].show_if.in[0]", items, LOCALES) == "questions[1].show_if"
    assert anchor("questions[0].label.de", items, LOCALES) == "questions[0]"
    assert anchor("questions[0].required", items, LOCALES) == "questions[0]"
    assert anchor("questions[5].key", items, LOCALES) == ""
    assert anchor("questions", items, LOCALES) == ""
    placed, summary = placed_errors(
        {"questions": ["Too many"], "questions[1].key": ["Taken"], "questions[0].key": ["Bad"]},
        items,
        LOCALES,
    )
    assert placed == {"": ["Too many"], "questions[1].key": ["Taken"], "questions[0].key": ["Bad"]}
    assert summary == [
        ("", "Too many"),
        ("questions-0-key", "Question 1: Bad"),
        ("questions-1-key", "Question 2: Taken"),
    ]
    assert path_id("questions[0].choices[1].label.fr") == "questions-0-choices-1-label-fr"


def test_a_condition_may_name_the_choice_questions_before_it():
    items = items_from_form(form(*ROLE, *AGE), LOCALES)
    assert condition_candidates(items, 0) == []
    assert condition_candidates(items, 1) == [
        (
            "role",
            [
                ("teacher", {"en": "Teacher", "fr": "Enseignant·e"}),
                ("official", {"en": "Official"}),
            ],
        )
    ]
    items[1]["show_if"] = {"question": "gone", "in": ["x"]}
    assert condition_candidates(items, 1)[-1] == ("gone", [("x", {})])
