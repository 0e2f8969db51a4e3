"""Finding registrations of one event: search text and filters, as one query to paginate."""

import sqlite3
from dataclasses import asdict, dataclass

from sqlalchemy import Select, func, or_, select

from eventsvc.extensions import db
from eventsvc.models import Event, Registration, RegistrationStatus
from eventsvc.models.question import (
    CHOICE_TYPES,
    Answer,
    Question,
    QuestionChoice,
    answer_choice,
)
from eventsvc.services import questions as question_service

#: The interpretation filter's value for people who stated no preference (stored as NULL); the
#: other values are the stored answers (a language code or ``FOLLOWS_FLOOR``).
NO_PREFERENCE = "no-preference"


@dataclass(frozen=True)
class RegistrationFilters:
    """What an organiser narrows the list to; empty strings mean "any"."""

    q: str = ""
    status: str = ""
    language: str = ""
    interpretation: str = ""
    country: str = ""
    #: An option of one of the event's choice questions: ``<question key>:<option key>``.
    answer: str = ""

    def as_args(self) -> dict[str, str]:
        """The filters that are set, as query-string arguments (for page links and exports)."""
        return {key: value for key, value in asdict(self).items() if value}


def registrations_query(event_id: int, filters: RegistrationFilters) -> Select:
    """Registrations of the event matching ``filters``, oldest first.

    The search matches part of the name, address or organisation, ignoring case in every
    script (É = é, Ж = ж) but not accents (e ≠ é).
    """
    query = select(Registration).where(Registration.event_id == event_id)
    text = filters.q.strip()
    if text:
        columns = (Registration.full_name, Registration.email, Registration.organisation)
        query = query.where(or_(*(_contains_ignoring_case(column, text) for column in columns)))
    if filters.status:
        query = query.where(Registration.status == RegistrationStatus(filters.status))
    if filters.language:
        query = query.where(Registration.language == filters.language)
    if filters.interpretation == NO_PREFERENCE:
        query = query.where(Registration.interpretation_language.is_(None))
    elif filters.interpretation:
        query = query.where(Registration.interpretation_language == filters.interpretation)
    if filters.country:
        query = query.where(Registration.country == filters.country.upper())
    if filters.answer:
        query = query.where(Registration.id.in_(_answered_with(event_id, filters.answer)))
    return query.order_by(Registration.created_at, Registration.id)


def _answered_with(event_id: int, value: str) -> Select:
    """The registrations whose answer to the question picked the option (``question:option``)."""
    question_key, _sep, choice_key = value.partition(":")
    return (
        select(Answer.registration_id)
        .join(Question, Question.id == Answer.question_id)
        .join(answer_choice, answer_choice.c.answer_id == Answer.id)
        .join(QuestionChoice, QuestionChoice.id == answer_choice.c.choice_id)
        .where(
            Question.event_id == event_id,
            Question.key == question_key,
            QuestionChoice.key == choice_key,
        )
    )


def answer_filter_options(event: Event, locale: str) -> list[tuple[str, list[tuple[str, str]]]]:
    """The filter's choices: per choice question (retired ones too, their answers are kept),
    its label and its options as ``(question:option, label)``, in the form's order."""
    return [
        (
            question_service.label(question, locale) or question.key,
            [
                (f"{question.key}:{choice.key}", question_service.choice_label(choice, locale))
                for choice in question.choices
            ],
        )
        for question in question_service.questions_of(event)
        if question.type in CHOICE_TYPES and question.choices
    ]


def _contains_ignoring_case(column, text: str):
    """``ILIKE`` on PostgreSQL; on SQLite, whose ``LIKE`` folds ASCII only, Python's casefold."""
    if db.session.get_bind().dialect.name == "sqlite":
        return func.eventsvc_casefold(column).contains(text.casefold(), autoescape=True)
    return column.icontains(text, autoescape=True)


def _casefold(value):
    return value.casefold() if isinstance(value, str) else value


def register_sqlite_functions(dbapi_connection: sqlite3.Connection) -> None:
    """Give a new SQLite connection the case folding :func:`_contains_ignoring_case` calls
    (attached to the app's engine in ``create_app``)."""
    dbapi_connection.create_function("eventsvc_casefold", 1, _casefold, deterministic=True)


def countries_present(event_id: int) -> list[str]:
    """The country codes the event's registrants gave (for the filter's choices)."""
    return list(
        db.session.scalars(
            select(Registration.country)
            .where(Registration.event_id == event_id, Registration.country != "")
            .distinct()
        )
    )


def registration_of_event(event_id: int, registration_id: int) -> Registration | None:
    return db.session.scalar(
        select(Registration).where(
            Registration.id == registration_id, Registration.event_id == event_id
        )
    )
