"""An event's own registration questions (issue 16): setting them, reading them back in the
import format, and storing and reading registrants' answers.

The import format's ``questions`` list is the interface: :func:`set_questions` takes it (from
the importer, the organiser's form builder, the API) and :func:`as_items` gives it back.
Questions and options that have answers are retired, never deleted, and keep their key and
type. Per-option places are counted by :func:`check_places` under the event's lock.
"""

from collections.abc import Iterable
from datetime import date

from flask import current_app
from flask_babel import force_locale
from flask_babel import lazy_gettext as _l
from sqlalchemy import bindparam, delete, func, select

from eventsvc.extensions import db
from eventsvc.i18n import country_name, current_locale
from eventsvc.models import Event, Organiser, Registration, RegistrationStatus
from eventsvc.models.question import (
    ACCESSIBILITY_CHOICES,
    Answer,
    Question,
    QuestionChoice,
    QuestionType,
    answer_choice,
)
from eventsvc.services import audit, page_version
from eventsvc.services import fields as registry
from eventsvc.services.inputs.base import Errors, InputErrors
from eventsvc.services.inputs.questions import QuestionData, parse_questions


def questions_of(event: Event, *, include_retired: bool = True) -> list[Question]:
    """The event's questions in the form's order."""
    query = select(Question).where(Question.event_id == event.id).order_by(Question.position)
    if not include_retired:
        query = query.where(Question.retired.is_(False))
    return list(db.session.scalars(query))


asked_questions = registry.asked_questions
ACCESSIBILITY_LABEL = registry.ACCESSIBILITY_LABEL
ACCESSIBILITY_HELP = registry.ACCESSIBILITY_HELP
ACCESSIBILITY_CHOICE_LABELS = registry.ACCESSIBILITY_CHOICE_LABELS
SIGN_LANGUAGE_LABEL = registry.SIGN_LANGUAGE_LABEL
SIGN_LANGUAGE_NAMES = registry.SIGN_LANGUAGE_NAMES
OTHER_NEEDS_LABEL = registry.OTHER_NEEDS_LABEL


# --- Setting the questions ----------------------------------------------------------------


def set_questions(event: Event, items: list[dict]) -> None:
    """Validates ``items`` (the import format's ``questions`` list) and makes them the event's
    questions, in that order. :class:`InputErrors` keyed by path (``questions[2].key``) when
    the list is invalid or would delete, re-key or re-type something that has answers."""
    data = parse_questions(items, event.publish_locales)
    apply_questions(event, data)


def save_form(event: Event, items: list[dict], actor: Organiser | None) -> None:
    """The organiser's form builder saving the whole list: :func:`set_questions`, and an entry
    "Registration form saved" in the event's history (how many questions, which keys)."""
    set_questions(event, items)
    keys = [item.get("key") for item in items if isinstance(item, dict)]
    audit.record(audit.FORM_SAVED, event, actor, questions=len(keys), keys=keys)


def apply_questions(event: Event, data: list[QuestionData]) -> None:
    """Applies questions already read by ``inputs.questions`` (the importer reads them with the
    rest of its entry); checks what depends on stored answers first."""
    existing = {question.key: question for question in questions_of(event)}
    answered = _answered_question_ids(event)
    chosen = _chosen_choice_ids(event)
    errors = Errors()
    wanted = {item.key for item in data}
    for key, question in existing.items():
        if key not in wanted and question.id in answered:
            errors.add(
                "questions",
                _l(
                    "The question “%(key)s” has answers: it cannot be deleted or get another "
                    "key. Retire it instead.",
                    key=key,
                ),
            )
    for index, item in enumerate(data):
        question = existing.get(item.key)
        if question is None:
            continue
        if question.type != item.type and question.id in answered:
            errors.add(
                f"questions[{index}].type",
                _l("This question has answers: its type cannot change."),
            )
        if item.type in (QuestionType.SINGLE_CHOICE, QuestionType.MULTIPLE_CHOICE):
            kept = {choice.key for choice in item.choices}
            for choice in question.choices:
                if choice.key not in kept and choice.id in chosen:
                    errors.add(
                        f"questions[{index}].choices",
                        _l(
                            "The choice “%(key)s” has answers: it cannot be deleted or get "
                            "another key. Retire it instead.",
                            key=choice.key,
                        ),
                    )
    errors.raise_if_any()

    for key, question in existing.items():
        if key not in wanted:
            db.session.delete(question)
    db.session.flush()
    for position, item in enumerate(data):
        question = existing.get(item.key)
        if question is None:
            question = Question(event_id=event.id, key=item.key)
            db.session.add(question)
        _fill(question, item, position)
    db.session.flush()
    page_version.event_changed(event)


def _fill(question: Question, item: QuestionData, position: int) -> None:
    question.type = item.type
    question.labels = dict(item.labels)
    question.help = dict(item.help)
    question.required = item.required
    question.position = position
    question.sensitive = item.sensitive
    question.retired = item.retired
    question.min_value, question.max_value = item.min, item.max
    question.show_if_question = item.show_if_question
    question.show_if_choices = list(item.show_if_choices)
    if item.type == QuestionType.ACCESSIBILITY:
        choices = [(key, {}, None, False) for key in ACCESSIBILITY_CHOICES]
    else:
        choices = [(c.key, dict(c.labels), c.places, c.retired) for c in item.choices]
    by_key = {choice.key: choice for choice in question.choices}
    kept = []
    for index, (key, labels, places, retired) in enumerate(choices):
        choice = by_key.get(key) or QuestionChoice(key=key)
        choice.labels, choice.places, choice.retired, choice.position = (
            labels,
            places,
            retired,
            index,
        )
        kept.append(choice)
    question.choices = kept


def _answered_question_ids(event: Event) -> set[int]:
    query = (
        select(Answer.question_id)
        .join(Question, Question.id == Answer.question_id)
        .where(Question.event_id == event.id)
        .distinct()
    )
    return set(db.session.scalars(query))


def _chosen_choice_ids(event: Event) -> set[int]:
    query = (
        select(answer_choice.c.choice_id)
        .join(QuestionChoice, QuestionChoice.id == answer_choice.c.choice_id)
        .join(Question, Question.id == QuestionChoice.question_id)
        .where(Question.event_id == event.id)
        .distinct()
    )
    return set(db.session.scalars(query))


# --- Reading them back --------------------------------------------------------------------


def as_items(event: Event) -> list[dict]:
    """The event's questions in the import format (retired ones included, marked)."""
    return [question_item(question) for question in questions_of(event)]


def question_item(question: Question) -> dict:
    item: dict = {"key": question.key, "type": question.type.value}
    if question.type != QuestionType.ACCESSIBILITY:
        item["label"] = dict(question.labels)
        if question.help:
            item["help"] = dict(question.help)
    item["required"] = question.required
    if question.sensitive:
        item["sensitive"] = True
    if question.retired:
        item["retired"] = True
    if question.type == QuestionType.NUMBER:
        if question.min_value is not None:
            item["min"] = question.min_value
        if question.max_value is not None:
            item["max"] = question.max_value
    if question.type in (QuestionType.SINGLE_CHOICE, QuestionType.MULTIPLE_CHOICE):
        item["choices"] = [_choice_item(choice) for choice in question.choices]
    if question.show_if_question:
        item["show_if"] = {
            "question": question.show_if_question,
            "in": list(question.show_if_choices),
        }
    return item


def _choice_item(choice: QuestionChoice) -> dict:
    item: dict = {"key": choice.key, "label": dict(choice.labels)}
    if choice.places is not None:
        item["places"] = choice.places
    if choice.retired:
        item["retired"] = True
    return item


def copy_questions(source: Event, target: Event) -> None:
    """Gives ``target`` the questions of ``source`` (duplicating an event, applying a set)."""
    set_questions(target, as_items(source))


# --- Texts --------------------------------------------------------------------------------


def _in(texts: dict, locale: str) -> str:
    if not texts:
        return ""
    return texts.get(locale) or next((text for text in texts.values() if text), "")


def label(question: Question, locale: str) -> str:
    if question.type == QuestionType.ACCESSIBILITY:
        with force_locale(locale):
            return str(ACCESSIBILITY_LABEL)
    return _in(question.labels, locale)


def help_text(question: Question, locale: str) -> str:
    if question.type == QuestionType.ACCESSIBILITY:
        with force_locale(locale):
            return str(ACCESSIBILITY_HELP)
    return _in(question.help, locale)


def choice_label(choice: QuestionChoice, locale: str) -> str:
    if not choice.labels and choice.key in ACCESSIBILITY_CHOICE_LABELS:
        with force_locale(locale):
            return str(ACCESSIBILITY_CHOICE_LABELS[choice.key])
    return _in(choice.labels, locale)


def sign_language_name(code: str, locale: str) -> str:
    if code not in SIGN_LANGUAGE_NAMES:
        return code or ""
    with force_locale(locale):
        return str(SIGN_LANGUAGE_NAMES[code])


# --- Answers ------------------------------------------------------------------------------


def answer_value(answer: Answer):
    """The stored answer as the API and :func:`answers_for` give it."""
    return _value(
        answer.question.type,
        answer.text_value,
        answer.number_value,
        answer.date_value,
        answer.bool_value,
        answer.detail,
        [choice.key for choice in answer.chosen],
    )


def _value(kind, text, number, day, flag, detail, chosen: list[str]):
    if kind in (QuestionType.TEXT, QuestionType.LONG_TEXT, QuestionType.COUNTRY):
        return text or ""
    if kind == QuestionType.SINGLE_CHOICE:
        return chosen[0] if chosen else None
    if kind == QuestionType.MULTIPLE_CHOICE:
        return list(chosen)
    if kind in (QuestionType.BOOLEAN, QuestionType.CHECKBOX):
        return flag
    if kind == QuestionType.NUMBER:
        return number
    if kind == QuestionType.DATE:
        return day
    if kind == QuestionType.ACCESSIBILITY:
        return {"needs": list(chosen), "sign_language": detail or "", "other": text or ""}
    return None


def exported_questions(event_id: int, *, include_sensitive: bool = False) -> list[Question]:
    """The questions with a column in ``event_id``'s export: every one, retired included
    (under its last label); sensitive ones only when asked for."""
    query = select(Question).where(Question.event_id == event_id).order_by(Question.position)
    if not include_sensitive:
        query = query.where(Question.sensitive.is_(False))
    return list(db.session.scalars(query))


def export_cells(
    asked: list[Question], registration_ids: list[int], locale: str
) -> dict[int, list]:
    """Registration id → one cell per question of ``asked`` (in ``locale``: option labels,
    several joined with commas, yes/no; numbers as numbers), for a batch of registrations:
    two queries whatever its size."""
    if not asked or not registration_ids:
        return {}
    by_id = {question.id: question for question in asked}
    choice_keys = {choice.id: choice.key for q in asked for choice in q.choices}
    rows = db.session.execute(
        select(
            Answer.id,
            Answer.registration_id,
            Answer.question_id,
            Answer.text_value,
            Answer.number_value,
            Answer.date_value,
            Answer.bool_value,
            Answer.detail,
        ).where(Answer.registration_id.in_(registration_ids), Answer.question_id.in_(by_id))
    ).all()
    chosen: dict[int, list[str]] = {}
    for answer_id, choice_id in db.session.execute(
        select(answer_choice.c.answer_id, answer_choice.c.choice_id)
        .join(Answer, Answer.id == answer_choice.c.answer_id)
        .join(QuestionChoice, QuestionChoice.id == answer_choice.c.choice_id)
        .where(Answer.registration_id.in_(registration_ids), Answer.question_id.in_(by_id))
        .order_by(answer_choice.c.answer_id, QuestionChoice.position)
    ):
        chosen.setdefault(answer_id, []).append(choice_keys.get(choice_id, ""))
    column = {question.id: index for index, question in enumerate(asked)}
    cells: dict[int, list] = {}
    for answer_id, reg_id, question_id, text, number, day, flag, detail in rows:
        question = by_id[question_id]
        value = _value(question.type, text, number, day, flag, detail, chosen.get(answer_id, []))
        row = cells.setdefault(reg_id, [""] * len(asked))
        if question.type == QuestionType.NUMBER:
            row[column[question_id]] = value if value is not None else ""
        else:
            row[column[question_id]] = display_value(question, value, locale)
    return cells


def answers_of(registration: Registration) -> list[Answer]:
    query = (
        select(Answer)
        .join(Question, Question.id == Answer.question_id)
        .where(Answer.registration_id == registration.id)
        .order_by(Question.position)
    )
    return list(db.session.scalars(query))


def answers_for(registration: Registration) -> dict:
    """Question key → the registration's answer: a text, a choice key, a list of choice keys,
    a bool, an int, a date, or for accessibility ``{"needs": […], "sign_language": code,
    "other": text}``. Unanswered questions are absent."""
    if registration.id is None:
        return {}
    return {answer.question.key: answer_value(answer) for answer in answers_of(registration)}


def is_empty(value) -> bool:
    if value is None or value == "" or value == []:
        return True
    if isinstance(value, dict):
        return not value.get("needs")
    return False


def save_answers(registration: Registration, answers: dict, questions: Iterable[Question]):
    """Stores ``answers`` (question key → parsed value, ``None`` for no answer) for the
    ``questions`` asked: each answer replaces the one stored; an empty one deletes it.
    A registration not stored yet has none to replace: nothing is read for it."""
    by_key = {question.key: question for question in questions}
    if not by_key:
        return
    stored_before = registration.id is not None
    db.session.flush()
    stored = (
        {answer.question_id: answer for answer in answers_of(registration)} if stored_before else {}
    )
    for key, question in by_key.items():
        value = answers.get(key)
        answer = stored.get(question.id)
        if is_empty(value) and not (question.type == QuestionType.BOOLEAN and value is False):
            if answer is not None:
                db.session.delete(answer)
            continue
        if answer is None:
            answer = Answer(registration_id=registration.id, question=question)
            db.session.add(answer)
        _store(answer, question, value)
    db.session.flush()


def _store(answer: Answer, question: Question, value) -> None:
    answer.text_value = answer.number_value = answer.date_value = None
    answer.bool_value = answer.detail = None
    kind = question.type
    chosen: list[str] = []
    if kind in (QuestionType.TEXT, QuestionType.LONG_TEXT, QuestionType.COUNTRY):
        answer.text_value = value
    elif kind == QuestionType.SINGLE_CHOICE:
        chosen = [value]
    elif kind == QuestionType.MULTIPLE_CHOICE:
        chosen = list(value)
    elif kind in (QuestionType.BOOLEAN, QuestionType.CHECKBOX):
        answer.bool_value = bool(value)
    elif kind == QuestionType.NUMBER:
        answer.number_value = int(value)
    elif kind == QuestionType.DATE:
        answer.date_value = value if isinstance(value, date) else date.fromisoformat(value)
    elif kind == QuestionType.ACCESSIBILITY:
        chosen = list(value.get("needs", ()))
        answer.detail = value.get("sign_language") or None
        answer.text_value = value.get("other") or None
    answer.chosen = [choice for choice in question.choices if choice.key in chosen]


def display_value(question: Question, value, locale: str) -> str:
    """An answer as a reader of ``locale`` reads it (pages, exports): option labels joined
    with commas, yes/no, a country's name, the accessibility needs with their details."""
    if is_empty(value) and value is not False:
        return ""
    kind = question.type
    if kind in (QuestionType.SINGLE_CHOICE, QuestionType.MULTIPLE_CHOICE):
        keys = [value] if isinstance(value, str) else list(value)
        return ", ".join(_choice_text(question, key, locale) for key in keys)
    if kind in (QuestionType.BOOLEAN, QuestionType.CHECKBOX):
        with force_locale(locale):
            return str(_l("Yes") if value else _l("No"))
    if kind == QuestionType.COUNTRY:
        return country_name(value, locale) if value else ""
    if kind == QuestionType.DATE:
        return value.isoformat() if isinstance(value, date) else str(value)
    if kind == QuestionType.ACCESSIBILITY:
        parts = []
        for key in value.get("needs", ()):
            text = _choice_text(question, key, locale)
            if key == "sign_language" and value.get("sign_language"):
                text += f" ({sign_language_name(value['sign_language'], locale)})"
            if key == "other" and value.get("other"):
                text += f": {value['other']}"
            parts.append(text)
        return "; ".join(parts)
    return str(value)


def _choice_text(question: Question, key: str, locale: str) -> str:
    choice = question.choice(key)
    return choice_label(choice, locale) if choice is not None else key


def answers_by_registration(
    event: Event, registration_ids: list[int], locale: str, *, include_sensitive: bool
) -> dict[int, list[tuple[str, str, bool]]]:
    """Registration id → its answers as ``(label, text, sensitive)`` in ``locale``, for a page
    of the organiser's attendee list. Sensitive answers only for ``include_sensitive`` (the
    event's own organisers and admins)."""
    asked = exported_questions(event.id, include_sensitive=include_sensitive)
    cells = export_cells(asked, registration_ids, locale)
    labels = [(label(question, locale), question.sensitive) for question in asked]
    return {
        reg_id: [
            (title, str(cell), sensitive)
            for (title, sensitive), cell in zip(labels, row, strict=True)
            if cell != ""
        ]
        for reg_id, row in cells.items()
    }


def form_values(answers: dict, asked: Iterable[Question]) -> dict[str, list[str]]:
    """Stored answers as the form posts them (``q-<key>`` → values), to fill it again."""
    posted: dict[str, list[str]] = {}
    for question in asked:
        value = answers.get(question.key)
        name = f"q-{question.key}"
        if value is None:
            continue
        if question.type == QuestionType.ACCESSIBILITY:
            posted[name] = list(value["needs"])
            posted[f"{name}-sign"] = [value["sign_language"]]
            posted[f"{name}-other"] = [value["other"]]
        elif isinstance(value, list):
            posted[name] = value
        elif question.type == QuestionType.BOOLEAN:
            posted[name] = ["yes" if value else "no"]
        elif question.type == QuestionType.CHECKBOX:
            posted[name] = ["y"] if value else []
        elif isinstance(value, date):
            posted[name] = [value.isoformat()]
        else:
            posted[name] = [str(value)]
    return posted


def erase_answers(registration: Registration) -> int:
    """Deletes every answer of ``registration`` (erasure); returns how many."""
    ids = select(Answer.id).where(Answer.registration_id == registration.id)
    count = db.session.scalar(select(func.count()).select_from(ids.subquery())) or 0
    db.session.execute(
        delete(Answer).where(Answer.registration_id == registration.id),
        execution_options={"synchronize_session": False},
    )
    return count


# --- Places per option --------------------------------------------------------------------


def taken_places(event: Event, *, excluding: Registration | None = None) -> dict[int, int]:
    """Choice id → how many registrations that are not cancelled chose it, for the options of
    ``event`` that have places (a waitlisted registration keeps its option for when it is
    promoted)."""
    query = (
        select(answer_choice.c.choice_id, func.count())
        .join(Answer, Answer.id == answer_choice.c.answer_id)
        .join(Registration, Registration.id == Answer.registration_id)
        .join(QuestionChoice, QuestionChoice.id == answer_choice.c.choice_id)
        .join(Question, Question.id == QuestionChoice.question_id)
        .where(
            Question.event_id == event.id,
            QuestionChoice.places.is_not(None),
            Registration.status != RegistrationStatus.CANCELLED,
        )
        .group_by(answer_choice.c.choice_id)
    )
    if excluding is not None and excluding.id is not None:
        query = query.where(Registration.id != excluding.id)
    return dict(db.session.execute(query).all())


# Built once: the event page asks it on every view, and building the statement cost more than
# running it (SQLAlchemy caches the compiled form by statement).
_LIMITED_CHOICES = (
    select(QuestionChoice.id, QuestionChoice.places)
    .join(Question, Question.id == QuestionChoice.question_id)
    .where(
        Question.event_id == bindparam("event_id"),
        Question.retired.is_(False),
        QuestionChoice.places.is_not(None),
    )
)


#: Per app: the (event, content version) pairs known to have no option with places. Questions
#: change only through ``apply_questions``, which raises the version, so the page of an event
#: without places (most of them) skips the query on every view after the first.
_WITHOUT_PLACES = "eventsvc.events_without_places"
_WITHOUT_PLACES_KEPT = 4096


def full_choice_ids(event: Event, *, excluding: Registration | None = None) -> set[int]:
    """The options of ``event``'s asked questions with no place left (shown as full), not
    counting ``excluding``'s own choices (a registrant changing their answers)."""
    version = (event.id, event.content_version)
    known = current_app.extensions.setdefault(_WITHOUT_PLACES, set())
    if version in known:
        return set()
    limited = db.session.execute(_LIMITED_CHOICES, {"event_id": event.id}).all()
    if not limited:
        if all(isinstance(part, int) for part in version):  # not a version raised unflushed
            if len(known) >= _WITHOUT_PLACES_KEPT:
                known.clear()
            known.add(version)
        return set()
    taken = taken_places(event, excluding=excluding)
    return {choice_id for choice_id, places in limited if taken.get(choice_id, 0) >= places}


FULL = _l("“%(choice)s” is full. Choose another option.")


def check_places(
    event: Event, answers: dict, questions: Iterable[Question], registration=None
) -> None:
    """:class:`InputErrors` on ``q-<key>`` when an option chosen in ``answers`` has no place
    left. Call it under the event's lock (``locking.lock_event``), before storing."""
    questions = [q for q in questions if any(c.places is not None for c in q.choices)]
    if not questions:
        return
    taken = taken_places(event, excluding=registration)
    errors = Errors()
    locale = current_locale()
    for question in questions:
        value = answers.get(question.key)
        keys = [value] if isinstance(value, str) else list(value or ())
        for choice in question.choices:
            if (
                choice.key in keys
                and choice.places is not None
                and taken.get(choice.id, 0) >= choice.places
            ):
                errors.add(f"q-{question.key}", FULL % {"choice": choice_label(choice, locale)})
    errors.raise_if_any()


__all__ = [
    "InputErrors",
    "answers_for",
    "as_items",
    "check_places",
    "set_questions",
]
