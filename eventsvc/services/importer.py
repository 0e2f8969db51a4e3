"""Import partners and events from a JSON file: check everything, then write all or nothing.

The format is documented in ``docs/import-format.md``. Every problem is reported with its
place in the file (``events[2].start``, positions counted from 0) and nothing is written unless
the whole file is valid. Events are matched by slug and partners by acronym; changed events go
through :mod:`eventsvc.services.events`, so their registrants are told as from the organiser
pages.
"""

import difflib
import json
import re
from dataclasses import dataclass, field
from datetime import datetime
from urllib.parse import urlsplit

from flask import current_app
from flask_babel import lazy_gettext as _l
from flask_babel import lazy_ngettext as _nl
from sqlalchemy import select

from eventsvc import clock
from eventsvc.extensions import db
from eventsvc.models import Event, EventStatus, Organiser, Partner
from eventsvc.services import DomainError, audit, page_version
from eventsvc.services.events import (
    EventData,
    ValidationFailed,
    create_event,
    update_event,
)
from eventsvc.services.events import validate as validate_event

ACRONYM_MAX = 32
ACRONYM_PATTERN = re.compile(r"^[^\s,]+$")
PARTNER_NAME_MAX = 200
PARTNER_DESCRIPTION_MAX = 5000
WEBSITE_MAX = 500

TOP_LEVEL_KEYS = {"partners", "events"}
PARTNER_KEYS = {"acronym", "website", "name", "description"}
EVENT_KEYS = {
    "slug",
    "timezone",
    "start",
    "end",
    "title",
    "summary",
    "description",
    "floor_language",
    "interpretation_languages",
    "partners",
    "online_url",
    "capacity",
    "registration_closes",
    "status",
    "confirm_address",
}


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
class PartnerData:
    acronym: str
    website: str
    names: dict[str, str]
    descriptions: dict[str, str]


@dataclass
class ImportPlan:
    """A checked file, ready to apply."""

    partners: list[PartnerData]
    events: list[EventData]


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


class _Record:
    """Reads one JSON object's keys, noting each problem under its path."""

    def __init__(self, obj: dict, path: str, allowed: set[str], problems: list[Problem]):
        self.obj = obj
        self.path = path
        self.problems = problems
        self.bad_keys: set[str] = set()
        for key in obj:
            if key not in allowed:
                self.problem(key, _unknown_key(key, allowed))

    def problem(self, key: str, message) -> None:
        self.bad_keys.add(key)
        self.problems.append(Problem(f"{self.path}.{key}" if key else self.path, message))

    def string(self, key: str, *, required=False, default="") -> str:
        value = self.obj.get(key)
        if value is None:
            if required:
                self.problem(key, _l("This key is required."))
            return default
        if not isinstance(value, str):
            self.problem(key, _l("Must be a text string."))
            return default
        return value.strip()

    def texts(self, key: str) -> dict[str, str]:
        value = self.obj.get(key)
        if value is None:
            return {}
        if not isinstance(value, dict) or not all(isinstance(v, str) for v in value.values()):
            self.problem(key, _l("Must be an object of texts by language, like {“en”: “…”}."))
            return {}
        return value

    def strings(self, key: str) -> list[str]:
        value = self.obj.get(key)
        if value is None:
            return []
        if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
            self.problem(key, _l("Must be a list of text strings."))
            return []
        return [v.strip() for v in value]

    def wall_time(self, key: str, *, required=False) -> datetime | None:
        text = self.string(key, required=required)
        if not text:
            return None
        try:
            return clock.parse_wall(text)
        except ValueError:
            self.problem(
                key,
                _l(
                    "“%(value)s” is not a local time: write YYYY-MM-DDTHH:MM, without an offset.",
                    value=text,
                ),
            )
            return None

    def whole_number(self, key: str) -> int | None:
        value = self.obj.get(key)
        if value is None:
            return None
        if isinstance(value, bool) or not isinstance(value, int):
            self.problem(key, _l("Must be a whole number, or null."))
            return None
        return value

    def flag(self, key: str) -> bool:
        value = self.obj.get(key)
        if value is None:
            return False
        if not isinstance(value, bool):
            self.problem(key, _l("Must be true or false."))
            return False
        return value


def _unknown_key(key: str, allowed: set[str]):
    close = difflib.get_close_matches(key, sorted(allowed), n=1)
    if close:
        return _l("Unknown key: did you mean “%(key)s”?", key=close[0])
    return _l("Unknown key (see the import format for the keys an entry may have).")


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
    events = _read_events(
        _list(document, "events", problems), {p.acronym for p in partners}, problems
    )
    if problems:
        raise ImportFailed(problems)
    return ImportPlan(partners, events)


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
        record = _Record(item, path, PARTNER_KEYS, problems)
        partner = PartnerData(
            acronym=record.string("acronym", required=True),
            website=record.string("website"),
            names=_clean_texts(record, "name", PARTNER_NAME_MAX),
            descriptions=_clean_texts(record, "description", PARTNER_DESCRIPTION_MAX),
        )
        _check_partner(record, partner)
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


def _clean_texts(record: _Record, key: str, limit: int) -> dict[str, str]:
    supported = current_app.config["SUPPORTED_LOCALES"]
    cleaned = {}
    for locale, value in record.texts(key).items():
        if locale not in supported:
            record.problem(
                f"{key}.{locale}",
                _l(
                    "Texts in “%(locale)s” are not supported here (supported: %(supported)s).",
                    locale=locale,
                    supported=", ".join(supported),
                ),
            )
        elif len(value.strip()) > limit:
            record.problem(f"{key}.{locale}", _l("At most %(max)d characters.", max=limit))
        else:
            cleaned[locale] = value.strip()
    return cleaned


def _check_partner(record: _Record, partner: PartnerData) -> None:
    if "acronym" not in record.bad_keys and (
        len(partner.acronym) > ACRONYM_MAX or not ACRONYM_PATTERN.match(partner.acronym)
    ):
        record.problem(
            "acronym",
            _l("At most %(max)d characters, without spaces or commas.", max=ACRONYM_MAX),
        )
    if partner.website and not _is_web_address(partner.website):
        record.problem("website", _l("Must be a web address starting with https://."))
    if not any(partner.names.values()) and "name" not in record.bad_keys:
        record.problem("name", _l("Give the partner's name in at least one language."))


def _is_web_address(url: str) -> bool:
    parts = urlsplit(url)
    return (
        len(url) <= WEBSITE_MAX
        and parts.scheme in ("http", "https")
        and bool(parts.netloc)
        and not re.search(r"\s", url)
    )


def _read_events(items: list, file_partners: set[str], problems: list[Problem]) -> list[EventData]:
    events, seen = [], {}
    for index, item in enumerate(items):
        path = f"events[{index}]"
        if not isinstance(item, dict):
            problems.append(Problem(path, _l("Each entry must be a JSON object.")))
            continue
        record = _Record(item, path, EVENT_KEYS, problems)
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
        errors = validate_event(data, existing, known_partners=file_partners)
        for key, messages in errors.items():
            if key.split(".")[0] in record.bad_keys:
                continue
            for message in messages:
                record.problem(key, message)
        events.append(data)
    return events


def _event_data(record: _Record) -> tuple[EventData, Event | None]:
    """The event described by ``record`` and the stored event of the same slug, if any."""
    slug = record.string("slug", required=True)
    existing = db.session.scalar(select(Event).where(Event.slug == slug)) if slug else None
    texts: dict[str, dict[str, str]] = {}
    for name in ("title", "summary", "description"):
        for locale, value in record.texts(name).items():
            texts.setdefault(locale, {})[name] = value
    default_status = existing.status if existing is not None else EventStatus.DRAFT
    data = EventData(
        slug=slug,
        timezone=record.string("timezone", default=current_app.config["DEFAULT_TIMEZONE"]),
        start=record.wall_time("start", required=True),
        end=record.wall_time("end", required=True),
        texts=texts,
        floor_language=record.string("floor_language", required=True),
        interpretation_languages=record.strings("interpretation_languages"),
        online_url=record.string("online_url"),
        capacity=record.whole_number("capacity"),
        registration_closes=record.wall_time("registration_closes"),
        partners=record.strings("partners"),
        status=record.string("status") or default_status,
        confirm_address=record.flag("confirm_address"),
    )
    return data, existing


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
