"""Counts and series for organisers, each one GROUP BY query."""

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, timedelta

from flask_babel import force_locale, lazy_pgettext
from flask_babel import lazy_gettext as _l
from sqlalchemy import Date, case, cast, func, select

from eventsvc.extensions import db
from eventsvc.models import Event, Registration, RegistrationStatus
from eventsvc.models.question import Answer, Question, QuestionType, answer_choice
from eventsvc.models.registration import FOLLOWS_FLOOR
from eventsvc.services import fields as registry
from eventsvc.services import questions as event_questions


@dataclass(frozen=True)
class DailyCount:
    day: date
    new: int
    cumulative: int


@dataclass(frozen=True)
class Breakdown:
    """People per value of one field (a country, a language); ``value`` may be empty."""

    value: str
    confirmed: int
    waitlisted: int

    @property
    def confirmed_and_waitlisted(self) -> int:
        return self.confirmed + self.waitlisted


#: The fields an organiser can count people by (``RegistrationField.breakdown``), by name.
COUNTED = registry.counted_fields()
BREAKDOWN_FIELDS = {name: getattr(Registration, spec.column) for name, spec in COUNTED.items()}
#: The title of each breakdown (the page's headings and the CSV's first column title).
BREAKDOWN_TITLES = {name: spec.title for name, spec in COUNTED.items()}


def registrations_per_day(event_id: int) -> list[DailyCount]:
    """Registrations made each UTC day (later cancellations included), with the running total.

    Days without a registration between the first and the last appear with zero, so the
    series can be drawn as it is.
    """
    day = _utc_day(Registration.created_at)
    rows = db.session.execute(
        select(day, func.count(Registration.id))
        .where(Registration.event_id == event_id)
        .group_by(day)
        .order_by(day)
    ).all()
    counts = {_as_date(value): count for value, count in rows}
    if not counts:
        return []
    series, total = [], 0
    current, last = min(counts), max(counts)
    while current <= last:
        total += counts.get(current, 0)
        series.append(DailyCount(current, counts.get(current, 0), total))
        current += timedelta(days=1)
    return series


def breakdown(event_id: int, field: str) -> list[Breakdown]:
    """Confirmed and waitlisted people per value of ``field``, largest first."""
    column = BREAKDOWN_FIELDS[field]
    confirmed = func.sum(case((Registration.status == RegistrationStatus.CONFIRMED, 1), else_=0))
    waitlisted = func.sum(case((Registration.status == RegistrationStatus.WAITLISTED, 1), else_=0))
    rows = db.session.execute(
        select(column, confirmed, waitlisted)
        .where(
            Registration.event_id == event_id,
            Registration.status != RegistrationStatus.CANCELLED,
        )
        .group_by(column)
    ).all()
    items = [Breakdown(value or "", int(c or 0), int(w or 0)) for value, c, w in rows]
    return sorted(
        items, key=lambda item: (-item.confirmed_and_waitlisted, -item.confirmed, item.value)
    )


def interpretation_breakdown(event: Event) -> list[Breakdown]:
    """The interpretation answers in the order interpreters are booked by: each interpretation
    language the event offers (nobody included), then the floor language without interpreter,
    then no preference, then any answer the event no longer offers."""
    counted = {item.value: item for item in breakdown(event.id, "interpretation")}
    order = [*event.interpreted_languages, FOLLOWS_FLOOR, ""]
    items = [counted.pop(value, Breakdown(value, 0, 0)) for value in dict.fromkeys(order)]
    return items + list(counted.values())


def breakdown_for(event: Event, field: str) -> list[Breakdown]:
    """The breakdown of ``field`` as the statistics page and its CSV show it."""
    if field == "interpretation":
        return interpretation_breakdown(event)
    return breakdown(event.id, field)


def label(field: str, value: str, locale: str) -> str:
    """The name of ``value`` of a breakdown ``field`` in ``locale``."""
    spec = COUNTED[field]
    if not value:
        return registry.text_in(spec.empty_label, locale)
    return spec.kind.value_label(value, locale)


def breakdown_rows(event: Event, field: str, locale: str) -> Iterator[tuple]:
    """A breakdown as rows for a CSV file: header first."""
    yield _texts(
        locale,
        _l("Code"),
        BREAKDOWN_TITLES[field],
        lazy_pgettext("registration count", "Confirmed"),
        lazy_pgettext("registration count", "Waitlisted"),
        lazy_pgettext("registration count", "Confirmed and waitlisted"),
    )
    for item in breakdown_for(event, field):
        yield (
            item.value,
            label(field, item.value, locale),
            item.confirmed,
            item.waitlisted,
            item.confirmed_and_waitlisted,
        )


def daily_rows(event_id: int, locale: str) -> Iterator[tuple]:
    """Registrations per day as rows for a CSV file: header first."""
    yield _texts(locale, _l("Day (UTC)"), _l("New registrations"), _l("Total registrations"))
    for item in registrations_per_day(event_id):
        yield (item.day.isoformat(), item.new, item.cumulative)


def _texts(locale: str, *texts) -> tuple[str, ...]:
    with force_locale(locale):
        return tuple(str(text) for text in texts)


def status_counts(event_id: int) -> dict[RegistrationStatus, int]:
    rows = db.session.execute(
        select(Registration.status, func.count(Registration.id))
        .where(Registration.event_id == event_id)
        .group_by(Registration.status)
    ).all()
    counts = dict.fromkeys(RegistrationStatus, 0)
    counts.update({RegistrationStatus(status): count for status, count in rows})
    return counts


def awaiting_address_count(event_id: int) -> int:
    """Places (seats or waitlist places) still held for an unconfirmed address: counted in
    :func:`status_counts` as what they hold, shown apart so as not to pass for confirmed."""
    return db.session.scalar(
        select(func.count(Registration.id)).where(
            Registration.event_id == event_id,
            Registration.status != RegistrationStatus.CANCELLED,
            Registration.address_hold_until.is_not(None),
        )
    )


def _utc_day(column):
    """The UTC calendar day of an instant column, on SQLite and on PostgreSQL."""
    if db.session.get_bind().dialect.name == "postgresql":
        return cast(func.timezone("UTC", column), Date)
    return func.date(column)


def _as_date(value) -> date:
    return value if isinstance(value, date) else date.fromisoformat(value)


# --- The event's own questions (issue 16) -------------------------------------------------

#: The question types counted per answer on the statistics page.
COUNTED_TYPES = (
    QuestionType.SINGLE_CHOICE,
    QuestionType.MULTIPLE_CHOICE,
    QuestionType.ACCESSIBILITY,
    QuestionType.BOOLEAN,
    QuestionType.CHECKBOX,
)


@dataclass(frozen=True)
class QuestionCount:
    """People per answer of one question: an option's key (``places`` its limit, if any), or
    for a sign language ``sign:<code>``, or ``yes``/``no``."""

    key: str
    label: str
    confirmed: int
    waitlisted: int
    places: int | None = None

    @property
    def confirmed_and_waitlisted(self) -> int:
        return self.confirmed + self.waitlisted


def counted_questions(event: Event) -> list[Question]:
    """The event's questions the statistics count (retired ones too: answers are kept)."""
    return [q for q in event_questions.questions_of(event) if q.type in COUNTED_TYPES]


def _by_status():
    confirmed = func.sum(case((Registration.status == RegistrationStatus.CONFIRMED, 1), else_=0))
    waitlisted = func.sum(case((Registration.status == RegistrationStatus.WAITLISTED, 1), else_=0))
    return confirmed, waitlisted


def question_counts(question: Question, locale: str) -> list[QuestionCount]:
    """Confirmed and waitlisted people per answer of ``question``, in the options' order
    (options nobody chose included); for accessibility, then per sign language."""
    confirmed, waitlisted = _by_status()
    active = (
        Answer.question_id == question.id,
        Registration.status != RegistrationStatus.CANCELLED,
    )
    if question.type in (QuestionType.BOOLEAN, QuestionType.CHECKBOX):
        rows = db.session.execute(
            select(Answer.bool_value, confirmed, waitlisted)
            .join(Registration, Registration.id == Answer.registration_id)
            .where(*active)
            .group_by(Answer.bool_value)
        ).all()
        counted = {bool(value): (int(c or 0), int(w or 0)) for value, c, w in rows}
        return [
            QuestionCount(
                "yes" if value else "no",
                event_questions.display_value(question, value, locale),
                *counted.get(value, (0, 0)),
            )
            for value in (True, False)
        ]
    rows = db.session.execute(
        select(answer_choice.c.choice_id, confirmed, waitlisted)
        .join(Answer, Answer.id == answer_choice.c.answer_id)
        .join(Registration, Registration.id == Answer.registration_id)
        .where(*active)
        .group_by(answer_choice.c.choice_id)
    ).all()
    counted = {choice_id: (int(c or 0), int(w or 0)) for choice_id, c, w in rows}
    items = [
        QuestionCount(
            choice.key,
            event_questions.choice_label(choice, locale),
            *counted.get(choice.id, (0, 0)),
            places=choice.places,
        )
        for choice in question.choices
    ]
    if question.type == QuestionType.ACCESSIBILITY:
        signs = db.session.execute(
            select(Answer.detail, confirmed, waitlisted)
            .join(Registration, Registration.id == Answer.registration_id)
            .where(*active, Answer.detail.is_not(None))
            .group_by(Answer.detail)
        ).all()
        items += [
            QuestionCount(
                f"sign:{code}",
                event_questions.sign_language_name(code, locale),
                int(c or 0),
                int(w or 0),
            )
            for code, c, w in sorted(signs, key=lambda row: (-(row[1] or 0), row[0]))
        ]
    return items


def question_rows(question: Question, locale: str) -> Iterator[tuple]:
    """One question's counts as rows for a CSV file: header first."""
    yield (
        *_texts(locale, _l("Code")),
        event_questions.label(question, locale),
        *_texts(
            locale,
            lazy_pgettext("registration count", "Confirmed"),
            lazy_pgettext("registration count", "Waitlisted"),
            lazy_pgettext("registration count", "Confirmed and waitlisted"),
            _l("Places"),
        ),
    )
    for item in question_counts(question, locale):
        yield (
            item.key,
            item.label,
            item.confirmed,
            item.waitlisted,
            item.confirmed_and_waitlisted,
            "" if item.places is None else item.places,
        )
