"""Attendance: the rows of the platforms' reports, matched to registrations, added up per
registration, and the event's rule that says who "attended".

The parsing of the files is in :mod:`eventsvc.services.attendance_reports`; this module stores
and counts. Every count is recomputed from the stored rows (``recompute``), so that a report
uploaded later, a row matched by hand or a changed rule all land in the same place.

Contract for the other slices: :func:`attended_registration_ids`, :func:`minutes_attended`,
and the :class:`~eventsvc.models.attendance.Attendance` rows.
"""

import hashlib
import math
import re
import unicodedata
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime

from flask import current_app
from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from eventsvc import clock
from eventsvc.extensions import db
from eventsvc.models import Event, Organiser, Registration
from eventsvc.models.attendance import (
    DEFAULT_ATTENDED_PERCENT,
    Attendance,
    AttendanceReport,
    AttendanceRow,
    ReportFormat,
    RowState,
)
from eventsvc.services import DomainError, attendance_reports
from eventsvc.services.addresses import address_key
from eventsvc.services.attendance_reports import ReportError, ReportProblem, Role

#: Bounds of the rule an organiser may set.
MAX_ATTENDED_MINUTES = 24 * 60


def event_minutes(event: Event) -> int:
    """The event's scheduled duration in whole minutes (at least one)."""
    return max(1, int((event.ends_at - event.starts_at).total_seconds() // 60))


def threshold_minutes(event: Event) -> int:
    """The minutes present that count as "attended": the event's ``attended_minutes`` when set,
    else ``attended_percent`` (default 50) % of its duration, rounded up."""
    if event.attended_minutes is not None:
        return event.attended_minutes
    percent = event.attended_percent
    if percent is None:
        percent = DEFAULT_ATTENDED_PERCENT
    return math.ceil(event_minutes(event) * percent / 100)


def is_attended(event: Event, minutes: int) -> bool:
    return minutes > 0 and minutes >= threshold_minutes(event)


def attended_registration_ids(event: Event) -> set[int]:
    """The registrations of ``event`` that attended by its rule."""
    query = select(Attendance.registration_id).where(
        Attendance.event_id == event.id, Attendance.attended.is_(True)
    )
    return set(db.session.scalars(query))


def minutes_attended(registration: Registration) -> int | None:
    """Minutes present according to the reports, or ``None`` when no report row is theirs."""
    query = select(Attendance.minutes).where(Attendance.registration_id == registration.id)
    return db.session.scalar(query)


def attendance_of(registration: Registration) -> Attendance | None:
    return db.session.scalar(
        select(Attendance).where(Attendance.registration_id == registration.id)
    )


def union_seconds(intervals: Iterable[tuple[datetime, datetime]]) -> float:
    """Seconds covered by ``intervals``: a rejoin that overlaps an earlier session (two
    devices, a reconnection the platform logged late) is counted once."""
    total = 0.0
    current_start = current_end = None
    for start, end in sorted(intervals):
        if end <= start:
            continue
        if current_end is None or start > current_end:
            if current_end is not None:
                total += (current_end - current_start).total_seconds()
            current_start, current_end = start, end
        elif end > current_end:
            current_end = end
    if current_end is not None:
        total += (current_end - current_start).total_seconds()
    return total


def minutes_of(rows: Iterable[AttendanceRow]) -> int:
    """The minutes a person's rows add up to: the union of the rows with join and leave times,
    plus the minutes of rows that give only a duration (a generic file)."""
    intervals = []
    loose = 0
    for row in rows:
        if row.joined_at is not None and row.left_at is not None:
            intervals.append((row.joined_at, row.left_at))
        else:
            loose += row.minutes
    return round(union_seconds(intervals) / 60) + loose


def recompute(event: Event, registration_ids: Iterable[int] | None = None) -> None:
    """Rebuild the :class:`Attendance` of ``registration_ids`` (default: the whole event) from
    its matched rows and the event's rule. Flushes."""
    rows_query = select(AttendanceRow).where(
        AttendanceRow.event_id == event.id, AttendanceRow.state == RowState.MATCHED
    )
    existing_query = select(Attendance).where(Attendance.event_id == event.id)
    if registration_ids is not None:
        wanted = set(registration_ids)
        if not wanted:
            return
        rows_query = rows_query.where(AttendanceRow.registration_id.in_(wanted))
        existing_query = existing_query.where(Attendance.registration_id.in_(wanted))
    rows_by_registration: dict[int, list[AttendanceRow]] = defaultdict(list)
    for row in db.session.scalars(rows_query):
        rows_by_registration[row.registration_id].append(row)
    existing = {a.registration_id: a for a in db.session.scalars(existing_query)}
    for registration_id, record in existing.items():
        if registration_id not in rows_by_registration:
            db.session.delete(record)
    for registration_id, rows in rows_by_registration.items():
        record = existing.get(registration_id)
        if record is None:
            record = Attendance(registration_id=registration_id, event_id=event.id)
            db.session.add(record)
        joins = [row.joined_at for row in rows if row.joined_at is not None]
        record.minutes = minutes_of(rows)
        record.first_joined_at = min(joins) if joins else None
        record.last_joined_at = max(joins) if joins else None
        record.attended = is_attended(event, record.minutes)
    db.session.flush()


def set_rule(event: Event, *, minutes: int | None, percent: int | None) -> None:
    """Change who counts as attended: at least ``minutes``, or else ``percent`` % of the
    duration (``None`` for both: the default, 50 %). Recomputes the event's attendance."""
    event.attended_minutes = minutes
    event.attended_percent = DEFAULT_ATTENDED_PERCENT if percent is None else percent
    for record in db.session.scalars(select(Attendance).where(Attendance.event_id == event.id)):
        record.attended = is_attended(event, record.minutes)
    db.session.flush()


# --- importing a report ----------------------------------------------------------------------


@dataclass
class ImportResult:
    report: AttendanceReport
    #: True when this very file had been imported before: nothing changed.
    already_imported: bool
    matched: list[AttendanceRow]
    unmatched: list[AttendanceRow]
    #: Rows set aside (host, panelists, moderators) and people listed as absent.
    ignored: int


def _fold(text: str) -> str:
    """A name as compared: accents, case and spacing ignored."""
    decomposed = unicodedata.normalize("NFKD", text)
    bare = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    return " ".join(bare.casefold().split())


def _name_keys(name: str) -> list[str]:
    """The names a row may go by: Zoom writes "Shown name (original name)"."""
    keys = [_fold(name)]
    match = re.fullmatch(r"\s*(.*?)\s*\((.+)\)\s*", name)
    if match:
        keys += [_fold(match.group(2)), _fold(match.group(1))]
    return [key for key in keys if key]


class _Matcher:
    """The event's registrations by address key and, where unique, by folded name."""

    def __init__(self, event: Event):
        registrations = db.session.scalars(
            select(Registration).where(
                Registration.event_id == event.id, Registration.anonymised_at.is_(None)
            )
        ).all()
        self.by_address = {r.email_normalised: r for r in registrations}
        names: dict[str, list[Registration]] = defaultdict(list)
        for registration in registrations:
            names[_fold(registration.full_name)].append(registration)
        self.by_name = {key: found[0] for key, found in names.items() if len(found) == 1}

    def find(self, email: str, name: str) -> Registration | None:
        if email.strip():
            return self.by_address.get(address_key(email))
        for key in _name_keys(name):
            if key in self.by_name:
                return self.by_name[key]
        return None


def _instant(moment: datetime | None, zone_name: str | None) -> datetime | None:
    if moment is None or moment.tzinfo is not None:
        return moment.astimezone(UTC) if moment else None
    return moment.replace(tzinfo=clock.zone(zone_name)).astimezone(UTC)


def import_report(
    event: Event,
    content: bytes,
    *,
    filename: str = "",
    format: ReportFormat | None = None,
    timezone: str | None = None,
    by: Organiser | None = None,
) -> ImportResult:
    """Read a participant report and count it towards the event's attendance.

    The same file imported again changes nothing (``already_imported``). Raises
    :class:`~eventsvc.services.attendance_reports.ReportError` (a ``DomainError``) for a file
    that cannot be read, and ``DomainError`` when its times need a zone and none is given;
    nothing is stored then. Flushes."""
    limit = current_app.config["ATTENDANCE_REPORT_MAX_BYTES"]
    if len(content) > limit:
        raise ReportError(
            [
                ReportProblem(
                    None,
                    None,
                    _l(
                        "The file is %(size)s MB; reports up to %(limit)s MB are accepted.",
                        size=f"{len(content) / 1_000_000:.1f}",
                        limit=f"{limit / 1_000_000:g}",
                    ),
                )
            ]
        )
    digest = hashlib.sha256(content).hexdigest()
    existing = db.session.scalar(
        select(AttendanceReport).where(
            AttendanceReport.event_id == event.id, AttendanceReport.content_sha256 == digest
        )
    )
    if existing is not None:
        return _result(existing, already=True, ignored=0)
    if timezone:
        try:
            clock.zone(timezone)
        except clock.WallTimeError as error:
            raise DomainError(error.message) from error
    near_zone = timezone or event.timezone
    near = clock.to_wall(event.starts_at, near_zone).replace(tzinfo=None)
    parsed = attendance_reports.parse(content, format, near)
    if parsed.needs_timezone and not timezone:
        raise DomainError(
            _l("The file does not say which time zone its times are in: choose the zone.")
        )
    report = AttendanceReport(
        event_id=event.id,
        format=parsed.format,
        content_sha256=digest,
        filename=filename[:255],
        timezone=timezone or "",
        uploaded_by_id=by.id if by is not None else None,
    )
    db.session.add(report)
    matcher = _Matcher(event)
    ignored = 0
    for row in parsed.rows:
        if row.role == Role.ABSENT:
            ignored += 1
            continue
        registration = None if row.role == Role.STAFF else matcher.find(row.email, row.name)
        if row.role == Role.STAFF:
            state = RowState.IGNORED
        else:
            state = RowState.MATCHED if registration else RowState.UNMATCHED
        report.rows.append(
            AttendanceRow(
                event_id=event.id,
                line=row.line,
                name=row.name,
                email=row.email,
                joined_at=_instant(row.joined, timezone),
                left_at=_instant(row.left, timezone),
                minutes=row.minutes,
                state=state,
                registration_id=registration.id if registration else None,
            )
        )
    db.session.flush()
    recompute(event, {row.registration_id for row in report.rows if row.registration_id})
    return _result(report, already=False, ignored=ignored)


def _result(report: AttendanceReport, *, already: bool, ignored: int) -> ImportResult:
    rows = report.rows
    return ImportResult(
        report=report,
        already_imported=already,
        matched=[row for row in rows if row.state == RowState.MATCHED],
        unmatched=[row for row in rows if row.state == RowState.UNMATCHED],
        ignored=ignored + sum(1 for row in rows if row.state == RowState.IGNORED),
    )


def unmatched_rows(event: Event) -> list[AttendanceRow]:
    return list(
        db.session.scalars(
            select(AttendanceRow)
            .where(AttendanceRow.event_id == event.id, AttendanceRow.state == RowState.UNMATCHED)
            .order_by(AttendanceRow.report_id, AttendanceRow.line)
        )
    )


def _same_person(row: AttendanceRow) -> list[AttendanceRow]:
    """The event's other unmatched rows of the same address (or name, without one)."""
    others = [r for r in unmatched_rows_of(row.event_id) if r.id != row.id]
    if row.email.strip():
        key = address_key(row.email)
        return [r for r in others if r.email.strip() and address_key(r.email) == key]
    key = _fold(row.name)
    return [r for r in others if not r.email.strip() and _fold(r.name) == key]


def unmatched_rows_of(event_id: int) -> list[AttendanceRow]:
    return list(
        db.session.scalars(
            select(AttendanceRow).where(
                AttendanceRow.event_id == event_id, AttendanceRow.state == RowState.UNMATCHED
            )
        )
    )


def match_row(row: AttendanceRow, registration: Registration) -> int:
    """The organiser says whose row this is: it, and the event's other unmatched rows of the
    same address (or name), count for ``registration``. Returns how many rows were matched."""
    if registration.event_id != row.event_id:
        raise DomainError(_l("That registration is not for this event."))
    rows = [row, *_same_person(row)] if row.state == RowState.UNMATCHED else [row]
    previous = {r.registration_id for r in rows if r.registration_id}
    for each in rows:
        each.state = RowState.MATCHED
        each.registration_id = registration.id
    db.session.flush()
    recompute(registration.event, previous | {registration.id})
    return len(rows)


def ignore_row(row: AttendanceRow) -> None:
    """Set a row aside (a panelist, a test account): it never counts."""
    previous = row.registration_id
    row.state = RowState.IGNORED
    row.registration_id = None
    db.session.flush()
    if previous is not None:
        recompute(db.session.get(Event, row.event_id), {previous})
