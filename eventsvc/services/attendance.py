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
from datetime import UTC, datetime, timedelta

from flask import current_app
from flask_babel import force_locale
from flask_babel import lazy_gettext as _l
from sqlalchemy import case, func, select

from eventsvc import clock
from eventsvc.extensions import db
from eventsvc.models import Event, Organiser, Registration, RegistrationStatus
from eventsvc.models.attendance import (
    DEFAULT_ATTENDED_PERCENT,
    Attendance,
    AttendanceReport,
    AttendanceRow,
    ReportFormat,
    RowState,
)
from eventsvc.models.registration import FOLLOWS_FLOOR
from eventsvc.services import DomainError, attendance_reports, stats
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
    #: Rows set aside: the host, panelists, moderators (stored, never counted).
    ignored: list[AttendanceRow]
    #: People the file lists as registered but absent (not stored).
    absent: int


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
        return _result(existing, already=True, absent=0)
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
    absent = 0
    for row in parsed.rows:
        if row.role == Role.ABSENT:
            absent += 1
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
    return _result(report, already=False, absent=absent)


def _result(report: AttendanceReport, *, already: bool, absent: int) -> ImportResult:
    rows = report.rows
    return ImportResult(
        report=report,
        already_imported=already,
        matched=[row for row in rows if row.state == RowState.MATCHED],
        unmatched=[row for row in rows if row.state == RowState.UNMATCHED],
        ignored=[row for row in rows if row.state == RowState.IGNORED],
        absent=absent,
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


def describe_import(result: ImportResult) -> list[str]:
    """Plain lines for the command line: the counts, then every matched, unmatched and
    ignored row, then the event's attendance."""
    report = result.report
    if result.already_imported:
        return [
            f"This report was imported on {report.uploaded_at:%Y-%m-%d %H:%M} UTC; nothing changed."
        ]
    registrations = {
        r.id: r
        for r in db.session.scalars(
            select(Registration).where(
                Registration.id.in_({row.registration_id for row in result.matched})
            )
        )
    }

    def who(row: AttendanceRow) -> str:
        return " ".join(part for part in (row.name, f"<{row.email}>" if row.email else "") if part)

    lines = [
        f"Report read as {report.format.value}: {len(result.matched)} matched, "
        f"{len(result.unmatched)} unmatched, {len(result.ignored) + result.absent} ignored."
    ]
    for row in result.matched:
        registration = registrations[row.registration_id]
        lines.append(
            f"  matched   line {row.line}: {who(row)}, {row.minutes} min"
            f" -> {registration.full_name} <{registration.email}>"
        )
    for row in result.unmatched:
        lines.append(f"  unmatched line {row.line}: {who(row)}, {row.minutes} min")
    for row in result.ignored:
        lines.append(f"  ignored   line {row.line}: {who(row)} (host, panelist or moderator)")
    if result.absent:
        lines.append(f"  ignored   {result.absent} listed as absent")
    event = db.session.get(Event, report.event_id)
    summary = attendance_summary(event)
    lines.append(
        f"Attended: {summary.attended} of {summary.registered} registration(s) "
        f"(at least {threshold_minutes(event)} minutes)."
    )
    if result.unmatched:
        lines.append("Match the unmatched rows by hand on the event's attendance page.")
    return lines


# --- counts for the organiser and the funder ------------------------------------------------


@dataclass(frozen=True)
class AttendanceCount:
    """Registered (confirmed) and attended people, for the event or one value of a field."""

    value: str
    registered: int
    attended: int

    @property
    def rate(self) -> float | None:
        """Attended per registered, 0–1; ``None`` with nobody registered."""
        return self.attended / self.registered if self.registered else None


@dataclass(frozen=True)
class AttendanceSummary:
    registered: int
    attended: int
    #: Registrations with any minutes in the reports, attended or not.
    present: int
    unmatched: int
    reports: int
    threshold: int

    @property
    def rate(self) -> float | None:
        return self.attended / self.registered if self.registered else None


def _counts_by(event: Event, column=None) -> dict[str, tuple[int, int]]:
    """(registered, attended) per value of ``column``, or under "" for the whole event."""
    registered = func.sum(case((Registration.status == RegistrationStatus.CONFIRMED, 1), else_=0))
    attended = func.sum(case((Attendance.attended.is_(True), 1), else_=0))
    query = (
        select(registered, attended)
        .select_from(Registration)
        .outerjoin(Attendance, Attendance.registration_id == Registration.id)
        .where(Registration.event_id == event.id)
    )
    if column is None:
        r, a = db.session.execute(query).one()
        return {"": (int(r or 0), int(a or 0))}
    rows = db.session.execute(query.add_columns(column).group_by(column)).all()
    return {(value or ""): (int(r or 0), int(a or 0)) for r, a, value in rows}


def attendance_summary(event: Event) -> AttendanceSummary:
    """Registered means confirmed; attended counts whoever the reports show by the rule (a
    waitlisted person let in counts)."""
    registered, attended = _counts_by(event)[""]
    present = db.session.scalar(
        select(func.count(Attendance.id)).where(
            Attendance.event_id == event.id, Attendance.minutes > 0
        )
    )
    return AttendanceSummary(
        registered=registered,
        attended=attended,
        present=int(present or 0),
        unmatched=len(unmatched_rows_of(event.id)),
        reports=int(
            db.session.scalar(
                select(func.count(AttendanceReport.id)).where(AttendanceReport.event_id == event.id)
            )
            or 0
        ),
        threshold=threshold_minutes(event),
    )


#: The fields attendance is counted by, in the page's order.
BY_FIELDS = ("country", "language", "interpretation")


def attendance_by(event: Event, field: str) -> list[AttendanceCount]:
    """Registered and attended per value of ``field`` (``country``, ``language``,
    ``interpretation``), most registered first; interpretation in the event's order."""
    counts = _counts_by(event, stats.BREAKDOWN_FIELDS[field])
    items = [AttendanceCount(value, r, a) for value, (r, a) in counts.items() if r or a]
    if field == "interpretation":
        order = [*event.interpreted_languages, FOLLOWS_FLOOR, ""]
        rank = {value: position for position, value in enumerate(dict.fromkeys(order))}
        return sorted(items, key=lambda item: (rank.get(item.value, len(rank)), item.value))
    return sorted(items, key=lambda item: (-item.registered, -item.attended, item.value))


def arrivals(event: Event, step_minutes: int = 5) -> list[tuple[datetime, int]]:
    """How many people arrived (their first join in the reports) in each ``step_minutes``
    from the first arrival to the last, empty steps included, so it can be drawn as it is."""
    firsts = sorted(
        db.session.scalars(
            select(Attendance.first_joined_at).where(
                Attendance.event_id == event.id, Attendance.first_joined_at.is_not(None)
            )
        )
    )
    if not firsts:
        return []
    step = timedelta(minutes=step_minutes)
    start = firsts[0].replace(second=0, microsecond=0)
    start -= timedelta(minutes=start.minute % step_minutes)
    buckets: dict[datetime, int] = defaultdict(int)
    for moment in firsts:
        buckets[start + step * int((moment - start) / step)] += 1
    series, current = [], start
    while current <= max(buckets):
        series.append((current, buckets.get(current, 0)))
        current += step
    return series


def statistics_rows(event: Event, locale: str):
    """The funder's report as rows for a CSV file, header first: the event's totals, then
    registered, attended and rate per country, language and interpretation language."""
    with force_locale(locale):
        yield tuple(
            str(text)
            for text in (
                _l("Breakdown"),
                _l("Code"),
                _l("Value"),
                _l("Registered"),
                _l("Attended"),
                _l("Attendance rate (%)"),
            )
        )
        summary = attendance_summary(event)
        yield (
            str(_l("Total")),
            "",
            event.content(locale).title,
            summary.registered,
            summary.attended,
            _percent(summary.rate),
        )
        yield (str(_l("Attended if present at least (minutes)")), "", "", "", summary.threshold, "")
        for field in BY_FIELDS:
            title = str(stats.BREAKDOWN_TITLES[field])
            for item in attendance_by(event, field):
                yield (
                    title,
                    item.value,
                    stats.label(field, item.value, locale),
                    item.registered,
                    item.attended,
                    _percent(item.rate),
                )


def _percent(rate: float | None) -> str:
    return "" if rate is None else f"{rate * 100:.1f}"
