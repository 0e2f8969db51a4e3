"""Import partners and events from a JSON file: check everything, then write all or nothing.

The format is documented in ``docs/import-format.md``. Every problem is reported with its
place in the file (``events[2].start``, positions counted from 0) and nothing is written unless
the whole file is valid. Events are matched by slug and partners by acronym; changed events go
through :mod:`eventsvc.services.events`, so their registrants are told as from the organiser
pages. Reading an entry and its rules are the inputs' (``EventData.read``, ``PartnerData.read``
and their checks in :mod:`eventsvc.services.inputs`); this module adds the file: paths,
duplicates within it, and writing all or nothing.
"""

import json
from dataclasses import dataclass, field

from flask_babel import lazy_gettext as _l
from flask_babel import lazy_ngettext as _nl
from sqlalchemy import select

from eventsvc.extensions import db
from eventsvc.i18n import content_locales, default_required_locales
from eventsvc.models import Event, EventStatus, Organiser, Partner
from eventsvc.services import DomainError, audit, page_version, questions
from eventsvc.services.events import (
    EventData,
    ValidationFailed,
    create_event,
    update_event,
)
from eventsvc.services.events import validate as validate_event
from eventsvc.services.inputs.base import Errors, InputErrors
from eventsvc.services.inputs.event import EVENT_KEYS
from eventsvc.services.inputs.partner import (
    PARTNER_KEYS,
    PartnerData,
    check_partner,
)
from eventsvc.services.inputs.questions import QuestionData, read_questions
from eventsvc.services.inputs.reader import Reader

TOP_LEVEL_KEYS = {"partners", "events"}


@dataclass
class Problem:
    """One thing wrong in the file: where (``events[2].start``) and what (translatable)."""

    path: str
    message: object

    def __str__(self) -> str:
        return f"{self.path}: {self.message}" if self.path else str(self.message)


class ImportFailed(DomainError):
    """The file has problems; nothing was imported. ``problems`` lists them in file order."""

    def __init__(self, problems: list[Problem]):
        super().__init__(
            _nl(
                "Nothing was imported: the file has %(num)d problem.",
                "Nothing was imported: the file has %(num)d problems.",
                len(problems),
            )
        )
        self.problems = problems


@dataclass
class ImportPlan:
    """A checked file, ready to apply."""

    partners: list[PartnerData]
    events: list[EventData]
    #: Each event's ``questions`` (issue 16), in the order of ``events``; ``None`` where the
    #: entry has no such key (its stored questions are kept).
    questions: list[list[QuestionData] | None] = field(default_factory=list)


@dataclass
class ImportReport:
    """What an import did, by acronym and slug."""

    partners_created: list[str] = field(default_factory=list)
    partners_updated: list[str] = field(default_factory=list)
    partners_unchanged: list[str] = field(default_factory=list)
    created: list[str] = field(default_factory=list)
    updated: list[str] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)
    notified: int = 0

    def as_details(self) -> dict:
        return {
            "partners_created": self.partners_created,
            "partners_updated": self.partners_updated,
            "events_created": self.created,
            "events_updated": self.updated,
            "notified": self.notified,
        }


# --- reading the file -------------------------------------------------------------------------


def parse(text: str | bytes) -> dict:
    """The JSON document, or :class:`ImportFailed` saying where the syntax breaks."""
    if isinstance(text, bytes):
        try:
            text = text.decode("utf-8-sig")
        except UnicodeDecodeError as exc:
            raise ImportFailed(
                [Problem("", _l("The file is not UTF-8 text (byte %(at)d).", at=exc.start))]
            ) from exc
    try:
        document = json.loads(text)
    except json.JSONDecodeError as exc:
        raise ImportFailed(
            [
                Problem(
                    _l("line %(line)d, column %(column)d", line=exc.lineno, column=exc.colno),
                    _l("The file is not valid JSON: %(reason)s.", reason=exc.msg),
                )
            ]
        ) from exc
    if not isinstance(document, dict):
        raise ImportFailed(
            [Problem("", _l("The file must hold one JSON object with “partners” and “events”."))]
        )
    problems = _nul_characters(document, "")
    if problems:
        raise ImportFailed(problems)
    return document


def _nul_characters(value, path: str) -> list[Problem]:
    """Every text holding a NUL character (``\\u0000``), which no database column may store."""
    if isinstance(value, str):
        return (
            [Problem(path, _l("Remove the NUL character from this text."))]
            if "\x00" in value
            else []
        )
    if isinstance(value, dict):
        return [
            problem
            for key, inner in value.items()
            for problem in _nul_characters(inner, f"{path}.{key}" if path else str(key))
        ]
    if isinstance(value, list):
        return [
            problem
            for index, inner in enumerate(value)
            for problem in _nul_characters(inner, f"{path}[{index}]")
        ]
    return []


def plan(text: str | bytes) -> ImportPlan:
    """Check a whole file against the format and the database; write nothing.

    Raises :class:`ImportFailed` listing every problem.
    """
    document = parse(text)
    problems: list[Problem] = []
    for key in document:
        if key not in TOP_LEVEL_KEYS:
            problems.append(
                Problem(key, _l("Unknown key: the file holds “partners” and “events”."))
            )
    partners = _read_partners(_list(document, "partners", problems), problems)
    events, question_sets = _read_events(
        _list(document, "events", problems), {p.acronym for p in partners}, problems
    )
    if problems:
        raise ImportFailed(problems)
    return ImportPlan(partners, events, question_sets)


def _at(path: str, problems: list[Problem]):
    """Reports a problem of the entry at ``path`` under its key (``events[2].start``)."""

    def add(key: str, message) -> None:
        problems.append(Problem(f"{path}.{key}" if key else path, message))

    return add


def _list(document: dict, key: str, problems: list[Problem]) -> list:
    value = document.get(key, [])
    if not isinstance(value, list):
        problems.append(Problem(key, _l("Must be a list.")))
        return []
    return value


def _read_partners(items: list, problems: list[Problem]) -> list[PartnerData]:
    partners, seen = [], {}
    for index, item in enumerate(items):
        path = f"partners[{index}]"
        if not isinstance(item, dict):
            problems.append(Problem(path, _l("Each entry must be a JSON object.")))
            continue
        record = Reader(item, _at(path, problems), PARTNER_KEYS)
        partner = PartnerData.read(record)
        found = Errors()
        check_partner(partner, found, missing_name_key="name")
        record.report(found.errors)
        if partner.acronym in seen:
            record.problem(
                "acronym",
                _l(
                    "“%(acronym)s” appears twice in this file (first at %(first)s).",
                    acronym=partner.acronym,
                    first=seen[partner.acronym],
                ),
            )
        seen.setdefault(partner.acronym, path)
        partners.append(partner)
    return partners


def _read_events(
    items: list, file_partners: set[str], problems: list[Problem]
) -> tuple[list[EventData], list]:
    events, question_sets, seen = [], [], {}
    for index, item in enumerate(items):
        path = f"events[{index}]"
        if not isinstance(item, dict):
            problems.append(Problem(path, _l("Each entry must be a JSON object.")))
            continue
        record = Reader(item, _at(path, problems), EVENT_KEYS | {"questions"})
        data, existing = _event_data(record)
        if data.slug in seen:
            record.problem(
                "slug",
                _l(
                    "“%(slug)s” appears twice in this file (first at %(first)s).",
                    slug=data.slug,
                    first=seen[data.slug],
                ),
            )
        elif data.slug:
            seen[data.slug] = path
        record.report(validate_event(data, existing, known_partners=file_partners))
        events.append(data)
        question_sets.append(_event_questions(record, data, existing))
    return events, question_sets


def _event_questions(record: Reader, data: EventData, existing: Event | None):
    """The entry's ``questions``, labels required in the locales the event will require."""
    if "questions" not in record.obj:
        return None
    if data.required_locales is not None:
        required = content_locales(data.required_locales)
    elif existing is not None:
        required = existing.publish_locales
    else:
        required = content_locales(default_required_locales(data.floor_language))
    return read_questions(record.obj["questions"], record.problem, required)


def _event_data(record: Reader) -> tuple[EventData, Event | None]:
    """The event described by ``record`` and the stored event of the same slug, if any (whose
    status is kept when the entry gives none)."""
    slug = record.obj.get("slug")
    slug = slug.strip() if isinstance(slug, str) else ""
    existing = db.session.scalar(select(Event).where(Event.slug == slug)) if slug else None
    default_status = existing.status if existing is not None else EventStatus.DRAFT
    return EventData.read(record, default_status=default_status), existing


# --- writing ----------------------------------------------------------------------------------


def import_events(
    text: str | bytes, actor: Organiser | None = None, source: str = ""
) -> ImportReport:
    """Check the file, then create or update its partners and events (the caller's unit of
    work makes it all or nothing).

    Raises :class:`ImportFailed` (nothing written) when the file has any problem.
    """
    checked = plan(text)
    report = _apply(checked, actor)
    audit.record(audit.IMPORTED, None, actor, source=source, **report.as_details())
    return report


def _apply(checked: ImportPlan, actor: Organiser | None) -> ImportReport:
    report = ImportReport()
    for partner in checked.partners:
        outcome = _upsert_partner(partner)
        getattr(report, f"partners_{outcome}").append(partner.acronym)
    db.session.flush()
    for index, data in enumerate(checked.events):
        try:
            _apply_event(data, actor, report)
            if index < len(checked.questions) and checked.questions[index] is not None:
                _apply_questions(data.slug, checked.questions[index], report)
        except InputErrors as failure:  # answers stored since: retire instead of deleting
            raise ImportFailed(
                [
                    Problem(f"events[{index}].{key}", message)
                    for key, messages in failure.errors.items()
                    for message in messages
                ]
            ) from failure
        except ValidationFailed as failure:
            # The database changed between the check and the write (another organiser).
            raise ImportFailed(
                [
                    Problem(f"events[{index}].{key}", message)
                    for key, messages in failure.errors.items()
                    for message in messages
                ]
            ) from failure
    return report


def _apply_event(data: EventData, actor: Organiser | None, report: ImportReport) -> None:
    existing = db.session.scalar(select(Event).where(Event.slug == data.slug))
    if existing is None:
        create_event(data, actor, source="import")
        report.created.append(data.slug)
        return
    summary = update_event(existing, data, actor, source="import")
    (report.updated if summary.changed else report.unchanged).append(data.slug)
    report.notified += summary.notify_count


def _apply_questions(slug: str, items: list[QuestionData], report: ImportReport) -> None:
    event = db.session.scalar(select(Event).where(Event.slug == slug))
    before = questions.as_items(event)
    questions.apply_questions(event, items)
    if questions.as_items(event) != before and slug in report.unchanged:
        report.unchanged.remove(slug)
        report.updated.append(slug)


def _upsert_partner(data: PartnerData) -> str:
    """Create or update one partner; says ``created``, ``updated`` or ``unchanged``."""
    partner = db.session.scalar(select(Partner).where(Partner.acronym == data.acronym))
    outcome = "updated"
    if partner is None:
        partner = Partner(acronym=data.acronym)
        db.session.add(partner)
        outcome = "created"
    elif _partner_matches(partner, data):
        return "unchanged"
    else:
        page_version.partner_changed(partner.id)
    if partner.website != data.website:
        partner.website = data.website
    for locale in set(data.names) | set(data.descriptions):
        partner.set_text(
            locale, name=data.names.get(locale, ""), description=data.descriptions.get(locale, "")
        )
    return outcome


def _partner_matches(partner: Partner, data: PartnerData) -> bool:
    stored = {t.locale: (t.name, t.description) for t in partner.translations}
    for locale in set(data.names) | set(data.descriptions):
        wanted = (data.names.get(locale, ""), data.descriptions.get(locale, ""))
        if stored.get(locale, ("", "")) != wanted:
            return False
    return partner.website == data.website
