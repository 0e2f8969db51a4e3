"""The form builder's page, both ways: the posted fields as the question items that
``services.questions.set_questions`` takes (the import file's format), and the service's
errors, keyed by item path, placed beside the fields that carry them.

Every field of the page is named by its path in the item list (``questions[2].label.fr``,
``questions[2].choices[1].places``), so that an error the questions input reports under a
path lands on the field of that name without a table of correspondences. The page checks
nothing itself: it reads what was typed (numbers that are not numbers go through as typed, for
the input to refuse in the reader's language) and leaves every rule to the input.
"""

import re
from collections.abc import Iterable, Mapping

from flask_babel import lazy_gettext as _l

#: The types an organiser can add, in the order the builder offers them.
TYPES = (
    ("text", _l("Short text")),
    ("long_text", _l("Long text")),
    ("single_choice", _l("Single choice")),
    ("multiple_choice", _l("Multiple choice")),
    ("boolean", _l("Yes / no")),
    ("number", _l("Number")),
    ("date", _l("Date")),
    ("country", _l("Country")),
    ("checkbox", _l("Consent checkbox")),
    ("accessibility", _l("Accessibility needs (built in)")),
)
TYPE_LABELS = dict(TYPES)
CHOICE_TYPES = frozenset({"single_choice", "multiple_choice"})
#: The built-in question: its labels and choices come with the product, in every locale.
BUILT_IN = frozenset({"accessibility"})

#: More than this many questions or options in one post is not a form someone typed.
MAX_QUESTIONS = 200
MAX_CHOICES = 200

_QUESTION = re.compile(r"^questions\[(\d{1,4})\]\.(.+)$")
_CHOICE = re.compile(r"^choices\[(\d{1,4})\]\.(.+)$")


def items_from_form(form, locales: Iterable[str]) -> list[dict]:
    """The question items the posted page describes, in the order of their ``position``."""
    locales = list(locales)
    raw: dict[int, dict] = {}
    for name in form:
        match = _QUESTION.match(name)
        if match:
            raw.setdefault(int(match[1]), {})[match[2]] = form.getlist(name)
    questions = sorted(raw.items(), key=lambda pair: (_position(pair[1], pair[0]), pair[0]))
    return [_item(fields, locales) for _index, fields in questions[:MAX_QUESTIONS]]


def _position(fields: dict, index: int) -> float:
    value = _first(fields, "position")
    try:
        return float(value) if value else float(index)
    except ValueError:
        return float(index)


def _first(fields: Mapping, name: str) -> str:
    values = fields.get(name) or [""]
    return values[0] if isinstance(values[0], str) else ""


def _item(fields: dict, locales: list[str]) -> dict:
    kind = _first(fields, "type").strip()
    item: dict = {"key": _first(fields, "key").strip(), "type": kind}
    if kind not in BUILT_IN:
        item["label"] = _texts(fields, "label", locales)
        help_texts = _texts(fields, "help", locales)
        if help_texts:
            item["help"] = help_texts
    item["required"] = "required" in fields
    item["sensitive"] = "sensitive" in fields
    item["retired"] = "retired" in fields
    if kind == "number":
        for bound in ("min", "max"):
            value = _number(_first(fields, bound))
            if value is not None:
                item[bound] = value
    if kind in CHOICE_TYPES:
        item["choices"] = _choices(fields, locales)
    show_if = _show_if(fields)
    if show_if:
        item["show_if"] = show_if
    return item


def _texts(fields: dict, name: str, locales: list[str]) -> dict:
    texts = {}
    for locale in locales:
        text = _first(fields, f"{name}.{locale}").strip()
        if text:
            texts[locale] = text
    return texts


def _number(typed: str):
    """An integer when one was typed, the text as typed otherwise (the input refuses it, in
    the reader's language), ``None`` when the field was left empty."""
    typed = typed.strip()
    if not typed:
        return None
    try:
        return int(typed)
    except ValueError:
        return typed


def _choices(fields: dict, locales: list[str]) -> list[dict]:
    rows: dict[int, dict] = {}
    for name, values in fields.items():
        match = _CHOICE.match(name)
        if match:
            rows.setdefault(int(match[1]), {})[match[2]] = values
    choices = []
    for _index, row in sorted(rows.items())[:MAX_CHOICES]:
        choice: dict = {"key": _first(row, "key").strip(), "label": _texts(row, "label", locales)}
        places = _number(_first(row, "places"))
        if places is not None:
            choice["places"] = places
        if "retired" in row:
            choice["retired"] = True
        choices.append(choice)
    return choices


def _show_if(fields: dict) -> dict | None:
    """The condition: the question chosen, and those of its options that are ticked (the page
    offers every choice question's options, ``question:option``; only the chosen question's
    count)."""
    question = _first(fields, "show_if.question").strip()
    if not question:
        return None
    chosen = []
    for value in fields.get("show_if.in", []):
        owner, _sep, option = value.partition(":")
        if owner == question and option and option not in chosen:
            chosen.append(option)
    return {"question": question, "in": chosen}


# --- the buttons that change the page without saving -------------------------------------------


def new_item(kind: str) -> dict:
    """A question of ``kind`` to fill in; the built-in one comes with its key."""
    if kind in BUILT_IN:
        return {"key": kind, "type": kind, "required": False, "sensitive": True, "retired": False}
    item = {"key": "", "type": kind, "label": {}, "required": False, "sensitive": False}
    item["retired"] = False
    if kind in CHOICE_TYPES:
        item["choices"] = [{"key": "", "label": {}}, {"key": "", "label": {}}]
    return item


def apply_action(items: list[dict], action: str, new_type: str = "") -> tuple[list[dict], bool]:
    """``items`` changed as the button pressed asks: add, move, delete a question, add or
    remove an option. Returns the items and whether the button was understood."""
    verb, _sep, rest = action.partition(":")
    numbers = [int(part) for part in rest.split(":") if part.isdigit()]
    items = [dict(item) for item in items]
    if verb == "add" and new_type in TYPE_LABELS:
        items.append(new_item(new_type))
        return items, True
    if not numbers or not 0 <= numbers[0] < len(items):
        return items, False
    index = numbers[0]
    if verb in ("up", "down"):
        other = index - 1 if verb == "up" else index + 1
        if 0 <= other < len(items):
            items[index], items[other] = items[other], items[index]
        return items, True
    if verb == "delete":
        del items[index]
        return items, True
    choices = list(items[index].get("choices") or [])
    if verb == "add-choice" and items[index].get("type") in CHOICE_TYPES:
        items[index]["choices"] = [*choices, {"key": "", "label": {}}]
        return items, True
    if verb == "remove-choice" and len(numbers) == 2 and 0 <= numbers[1] < len(choices):
        del choices[numbers[1]]
        items[index]["choices"] = choices
        return items, True
    return items, False


# --- errors beside their fields ----------------------------------------------------------------


def path_id(path: str) -> str:
    """The HTML id of the field (or group) at ``path``: ``questions[2].label.fr`` →
    ``questions-2-label-fr``."""
    return re.sub(r"[^A-Za-z0-9_]+", "-", path).strip("-")


_FIELDS = re.compile(
    r"^questions\[\d+\]\.(key|type|min|max|show_if\.question"
    r"|(label|help)\.(?P<locale>[\w-]+)"
    r"|choices\[\d+\]\.(key|places|label\.(?P<choice_locale>[\w-]+)))$"
)


def anchor(path: str, items: list[dict], locales: Iterable[str]) -> str:
    """The path of the element on the page that shows the error reported at ``path``: the
    field itself when the page has one, else the option's row, the question's condition, its
    options, the question; ``""`` for an error about the whole list."""
    locales = set(locales)
    question = re.match(r"^questions\[(\d+)\]", path)
    if question is None or int(question[1]) >= len(items):
        return ""
    item = items[int(question[1])]
    field = _FIELDS.match(path)
    if field and (field["locale"] or field["choice_locale"] or "") in locales | {""}:
        built_in = item.get("type") in BUILT_IN
        if not (built_in and re.search(r"\.(label|help)\.", path)):
            return path
    choice = re.match(r"^(questions\[\d+\]\.choices\[(\d+)\])", path)
    if choice and int(choice[2]) < len(item.get("choices") or []):
        return choice[1]
    for part in ("show_if", "choices"):
        if path.startswith(f"{question[0]}.{part}"):
            return f"{question[0]}.{part}"
    return question[0]


def placed_errors(
    errors: Mapping[str, list], items: list[dict], locales: Iterable[str]
) -> tuple[dict[str, list[str]], list[tuple[str, str]]]:
    """The input's errors per element of the page (``{element path: [messages]}``), and the
    summary's entries, ``(element id, message)`` in the order of the page (``""``: no link)."""
    locales = list(locales)
    placed: dict[str, list[str]] = {}
    summary = []
    for path in sorted(errors, key=_page_order):
        where = anchor(path, items, locales)
        for message in errors[path]:
            placed.setdefault(where, []).append(str(message))
            summary.append((path_id(where) if where else "", _numbered(path, str(message))))
    return placed, summary


def _page_order(path: str) -> tuple:
    return tuple(int(part) for part in re.findall(r"\d+", path)), path


def _numbered(path: str, message: str) -> str:
    question = re.match(r"^questions\[(\d+)\]", path)
    if question is None:
        return message
    return str(_l("Question %(num)d: %(message)s", num=int(question[1]) + 1, message=message))


def condition_candidates(items: list[dict], index: int) -> list[tuple[str, list[tuple[str, dict]]]]:
    """The questions that question ``index`` may depend on (the choice questions before it,
    by key) with their options; a condition naming a question not offered is kept as it is."""
    candidates = [
        (item["key"], [(c.get("key", ""), c.get("label") or {}) for c in item.get("choices", [])])
        for item in items[:index]
        if item.get("key") and item.get("type") in CHOICE_TYPES
    ]
    condition = items[index].get("show_if") or {}
    named = condition.get("question")
    if named and named not in {key for key, _options in candidates}:
        candidates.append((named, [(key, {}) for key in condition.get("in", [])]))
    return candidates
