"""An event's registration questions as submitted: the ``questions`` list of the import format
(issue 16, ``docs/import-format.md``), also what the form builder and the API send.

:func:`read_questions` reads the JSON list strictly and reports each problem under its path
(``questions[2].choices[1].label.fr``); :func:`parse_questions` raises :class:`InputErrors`.
What depends on stored answers (deleting, changing a key or a type) is checked by
``services.questions.set_questions``, which applies the result.
"""

import re
from collections.abc import Iterable
from dataclasses import dataclass, field

from flask import current_app
from flask_babel import lazy_gettext as _l

from eventsvc.models.question import (
    ACCESSIBILITY,
    ACCESSIBILITY_CHOICES,
    CHOICE_TYPES,
    HELP_MAX,
    KEY_MAX,
    LABEL_MAX,
    QuestionType,
)
from eventsvc.services.inputs.base import Add, Errors, max_length
from eventsvc.services.inputs.reader import Reader

QUESTIONS_MAX = 50
CHOICES_MAX = 100
KEY_PATTERN = re.compile(rf"^[a-z][a-z0-9_]{{0,{KEY_MAX - 1}}}$")

QUESTION_KEYS = {
    "key",
    "type",
    "label",
    "help",
    "required",
    "choices",
    "min",
    "max",
    "sensitive",
    "retired",
    "show_if",
}
CHOICE_KEYS = {"key", "label", "places", "retired"}
SHOW_IF_KEYS = {"question", "in"}


@dataclass(frozen=True)
class ChoiceData:
    key: str
    labels: dict[str, str] = field(default_factory=dict)
    places: int | None = None
    retired: bool = False


@dataclass(frozen=True)
class QuestionData:
    key: str
    type: QuestionType
    labels: dict[str, str] = field(default_factory=dict)
    help: dict[str, str] = field(default_factory=dict)
    required: bool = False
    sensitive: bool = False
    retired: bool = False
    min: int | None = None
    max: int | None = None
    show_if_question: str | None = None
    show_if_choices: tuple[str, ...] = ()
    choices: tuple[ChoiceData, ...] = ()


def parse_questions(items, required_locales: Iterable[str]) -> list[QuestionData]:
    """``items`` (a JSON list) as questions, or :class:`InputErrors` keyed by path."""
    errors = Errors()
    questions = read_questions(items, errors.add, required_locales)
    errors.raise_if_any()
    return questions


def read_questions(
    items, add: Add, required_locales: Iterable[str], path: str = "questions"
) -> list[QuestionData]:
    """Reads the list, reporting each problem with ``add(path…, message)``."""
    if not isinstance(items, list):
        add(path, _l("Must be a list of questions."))
        return []
    if len(items) > QUESTIONS_MAX:
        add(path, _l("At most %(max)d questions.", max=QUESTIONS_MAX))
        return []
    required_locales = list(required_locales)
    questions: list[QuestionData] = []
    seen: dict[str, QuestionData] = {}
    for index, item in enumerate(items):
        here = f"{path}[{index}]"
        question = _read_question(item, _under(here, add), required_locales, seen)
        if question is None:
            continue
        if question.key in seen:
            add(f"{here}.key", _l("Another question has this key."))
            continue
        seen[question.key] = question
        questions.append(question)
    return questions


def _under(prefix: str, add: Add) -> Add:
    return lambda key, message: add(f"{prefix}.{key}" if key else prefix, message)


def _read_key(reader: Reader) -> tuple[str | None, bool]:
    """The required ``key`` of a question or a choice, and whether it has the keys' form (a
    problem is reported when it has not)."""
    key = reader.string("key", required=True)
    if key and not KEY_PATTERN.match(key):
        reader.problem(
            "key",
            _l(
                "Use lower-case letters, digits and _ only, starting with a letter, at most "
                "%(max)d characters.",
                max=KEY_MAX,
            ),
        )
        return key, False
    return key, True


def _read_question(item, add: Add, required_locales, earlier: dict) -> QuestionData | None:
    if not isinstance(item, dict):
        add("", _l("Must be an object describing a question."))
        return None
    reader = Reader(item, add, QUESTION_KEYS)
    key, _well_formed = _read_key(reader)
    type_name = reader.string("type", required=True)
    try:
        kind = QuestionType(type_name) if type_name else None
    except ValueError:
        kind = None
        reader.problem(
            "type",
            _l(
                "Unknown type: use one of %(types)s.",
                types=", ".join(member.value for member in QuestionType),
            ),
        )
    if kind is None:
        return None
    if (kind == QuestionType.ACCESSIBILITY) != (key == ACCESSIBILITY):
        reader.problem(
            "key",
            _l("The built-in accessibility question has the key and the type “accessibility”."),
        )
    built_in = kind == QuestionType.ACCESSIBILITY
    labels = reader.texts("label")
    help_texts = reader.texts("help")
    if built_in:
        for name in ("label", "help", "choices", "min", "max"):
            if name in item:
                reader.problem(name, _l("The accessibility question's texts are built in."))
    else:
        _check_texts("label", labels, LABEL_MAX, required_locales, add, required=True)
        _check_texts("help", help_texts, HELP_MAX, required_locales, add, required=False)
    minimum, maximum = reader.whole_number("min"), reader.whole_number("max")
    if kind != QuestionType.NUMBER:
        for name in ("min", "max"):
            if item.get(name) is not None:
                reader.problem(name, _l("Only a number question has a minimum or a maximum."))
        minimum = maximum = None
    elif minimum is not None and maximum is not None and minimum > maximum:
        add("max", _l("The maximum must not be smaller than the minimum."))
    choices: tuple[ChoiceData, ...] = ()
    if kind in (QuestionType.SINGLE_CHOICE, QuestionType.MULTIPLE_CHOICE):
        choices = _read_choices(item.get("choices"), add, required_locales)
    elif not built_in and item.get("choices") is not None:
        reader.problem("choices", _l("Only a choice question has choices."))
    show_question, show_choices = _read_show_if(item.get("show_if"), add, earlier, key)
    return QuestionData(
        key=key,
        type=kind,
        labels=labels,
        help={locale: text for locale, text in help_texts.items() if text.strip()},
        required=reader.flag("required"),
        sensitive=reader.flag("sensitive"),
        retired=reader.flag("retired"),
        min=minimum,
        max=maximum,
        show_if_question=show_question,
        show_if_choices=show_choices,
        choices=choices,
    )


def _check_texts(name: str, texts: dict, limit: int, required_locales, add: Add, *, required):
    supported = current_app.config["SUPPORTED_LOCALES"]
    for locale, text in texts.items():
        if locale not in supported:
            add(
                f"{name}.{locale}",
                _l(
                    "Not a language of this site: use one of %(codes)s.", codes=", ".join(supported)
                ),
            )
            continue
        max_length(f"{name}.{locale}", text.strip(), limit, add)
    if required:
        for locale in required_locales:
            if not (texts.get(locale) or "").strip():
                add(f"{name}.{locale}", _l("Give the text in this language."))


def _read_choices(value, add: Add, required_locales) -> tuple[ChoiceData, ...]:
    if not isinstance(value, list) or not value:
        add("choices", _l("A choice question needs a list of choices."))
        return ()
    if len(value) > CHOICES_MAX:
        add("choices", _l("At most %(max)d choices.", max=CHOICES_MAX))
        return ()
    choices, keys = [], set()
    for index, item in enumerate(value):
        here = _under(f"choices[{index}]", add)
        if not isinstance(item, dict):
            here("", _l("Must be an object describing a choice."))
            continue
        reader = Reader(item, here, CHOICE_KEYS)
        key, well_formed = _read_key(reader)
        if well_formed and key in keys:
            reader.problem("key", _l("Another choice of this question has this key."))
        keys.add(key)
        labels = reader.texts("label")
        _check_texts("label", labels, LABEL_MAX, required_locales, here, required=True)
        places = reader.whole_number("places")
        if places is not None and places < 0:
            reader.problem("places", _l("Must be a whole number, 0 or more, or null."))
            places = None
        choices.append(
            ChoiceData(key=key, labels=labels, places=places, retired=reader.flag("retired"))
        )
    return tuple(choices)


def _read_show_if(value, add: Add, earlier: dict, own_key: str) -> tuple[str | None, tuple]:
    if value is None:
        return None, ()
    if not isinstance(value, dict):
        add("show_if", _l("Must be an object like {“question”: “role”, “in”: [“teacher”]}."))
        return None, ()
    reader = Reader(value, _under("show_if", add), SHOW_IF_KEYS)
    key = reader.string("question", required=True)
    wanted = reader.strings("in")
    if not key:
        return None, ()
    controlling = earlier.get(key)
    if controlling is None or key == own_key:
        reader.problem("question", _l("Name a choice question that comes before this one."))
        return None, ()
    if controlling.type not in CHOICE_TYPES:
        reader.problem("question", _l("Name a choice question that comes before this one."))
        return None, ()
    if not wanted:
        reader.problem("in", _l("List at least one choice of that question."))
        return None, ()
    offered = _choice_keys(controlling)
    for index, choice in enumerate(wanted):
        if choice not in offered:
            add(f"show_if.in[{index}]", _l("That question has no choice with this key."))
    return key, tuple(wanted)


def _choice_keys(question: QuestionData) -> set[str]:
    if question.type == QuestionType.ACCESSIBILITY:
        return set(ACCESSIBILITY_CHOICES)
    return {choice.key for choice in question.choices}
