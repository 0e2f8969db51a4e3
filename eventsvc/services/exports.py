"""Registrations as CSV and XLSX streams: formula-safe, with memory that stays flat.

Rows are read as plain tuples in batches (``yield_per``), never as ORM objects, and written
through small buffers, so an export of 100,000 registrations needs no more memory than one of
100. Everything here works without a request (the benchmarks call it directly).
"""

import csv
import io
import re
import tempfile
import unicodedata
from collections.abc import Iterable, Iterator
from datetime import date, datetime
from itertools import islice
from urllib.parse import quote

import xlsxwriter
from flask import current_app
from flask_babel import force_locale, pgettext
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from eventsvc import clock
from eventsvc.extensions import db
from eventsvc.models import Attendance, Registration, RegistrationStatus
from eventsvc.services import fields as registry
from eventsvc.services import questions as event_questions

#: A spreadsheet reads a cell starting with one of these as a formula (or the start of one).
FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r")
_TRIGGER_SET = frozenset(FORMULA_TRIGGERS)
#: Characters with no width that a spreadsheet may skip before reading a formula.
_INVISIBLE = "".join(
    chr(code) for code in range(0x10000) if unicodedata.category(chr(code)) == "Cf"
)

#: Rows per round trip to the database, and bytes gathered before a chunk is sent.
BATCH_ROWS = 1000
CHUNK_BYTES = 64 * 1024

_table = Registration.__table__.c

#: The columns before the fields' and after them (times of the registration's life), read
#: as table columns, not ORM attributes: rows come back as plain tuples without the ORM's
#: loading machinery. docs/exports.md describes each column.
_LEADING = ((_table.id, _l("ID"), 8), (_table.status, _l("Status"), 14))
_TIMES = (
    _table.newsletter_confirmed_at,
    _table.consent_at,
    _table.created_at,
    _table.promoted_at,
    _table.cancelled_at,
)


def exported_fields() -> list[registry.RegistrationField]:
    """The registry's fields with a column in the export, in file order."""
    return registry.exported_fields()


def stored_columns() -> list[str]:
    """The names of the ``registration`` columns one export row is made from, in order."""
    return [
        *(column.name for column, _title, _width in _LEADING),
        *(spec.column for spec in exported_fields()),
        *(column.name for column in _TIMES),
    ]


def xlsx_widths() -> tuple[int, ...]:
    """Spreadsheet column widths (characters), in file order."""
    fields = (column.width for spec in exported_fields() for column in spec.exports)
    return (
        *(width for _column, _title, width in _LEADING),
        *fields,
        *(20 for _ in _TIMES),
        *_ATTENDANCE_WIDTHS,
    )


#: The attendance columns, last (``services/attendance.py``; empty before any report).
_ATTENDANCE_TITLES = (_l("Minutes attended"), _l("Attended"))
#: Their widths, and the first join's (its title names the zone, see :func:`header`).
_ATTENDANCE_WIDTHS = (12, 10, 20)


XLSX_WIDTHS = xlsx_widths()


#: Marks the status of a place held for an unconfirmed address in the labels' keys.
_HELD = "held"


def _time_titles(zone: str) -> tuple[str, ...]:
    """The titles of the five time columns, naming the zone their times are in."""
    return (
        _("Newsletter confirmed at (%(zone)s)", zone=zone),
        _("Consent given at (%(zone)s)", zone=zone),
        _("Registered at (%(zone)s)", zone=zone),
        _("Promoted at (%(zone)s)", zone=zone),
        _("Cancelled at (%(zone)s)", zone=zone),
    )


def starts_a_formula(text: str) -> bool:
    """Whether a spreadsheet may read ``text`` as a formula: a trigger first, or after
    invisible format characters (zero-width space, joiners, BOM…), or in a compatibility form
    that normalises to one (full-width ＝ ＋ － ＠, small ﹦ ﹢ ﹣ ﹫)."""
    head = text.lstrip(_INVISIBLE)
    return bool(head) and (
        head[0] in _TRIGGER_SET or unicodedata.normalize("NFKC", head[0])[:1] in _TRIGGER_SET
    )


def neutralise(cell):
    """``cell`` made safe to open in a spreadsheet: text that could start a formula gets a
    leading ``'``. Only text can be a formula; numbers and empty cells pass unchanged."""
    if isinstance(cell, str) and starts_a_formula(cell):
        return "'" + cell
    return cell


def header(locale: str | None = None, zone: str | None = None, asked=()) -> tuple[str, ...]:
    """The column titles in ``locale`` (the default locale by default); the time columns name
    ``zone`` (UTC when ``None``); then the attendance columns; then one column per question of
    ``asked``, titled with its label in ``locale``."""
    locale = locale or current_app.config["DEFAULT_LOCALE"]
    with force_locale(locale):
        titles = [str(title) for _column, title, _width in _LEADING]
        titles += [
            registry.text_in(column.title, locale)
            for spec in exported_fields()
            for column in spec.exports
        ]
        first_join = _("First join, from the reports (%(zone)s)", zone=zone or "UTC")
        attendance_titles = (*(str(t) for t in _ATTENDANCE_TITLES), first_join)
        questions = [event_questions.label(question, locale) for question in asked]
        return (*titles, *_time_titles(zone or "UTC"), *attendance_titles, *questions)


def _status_labels(locale: str) -> dict:
    """Statuses as the reader of ``locale`` says them."""
    with force_locale(locale):
        return {
            RegistrationStatus.CONFIRMED: pgettext("registration status", "Confirmed"),
            RegistrationStatus.WAITLISTED: pgettext("registration status", "Waitlisted"),
            RegistrationStatus.CANCELLED: pgettext("registration status", "Cancelled"),
            # "Confirm your address" mode: the place is held (it counts) but not yet confirmed.
            (RegistrationStatus.CONFIRMED, _HELD): pgettext(
                "registration status", "Seat held, awaiting address confirmation"
            ),
            (RegistrationStatus.WAITLISTED, _HELD): pgettext(
                "registration status", "Waitlisted, awaiting address confirmation"
            ),
        }


def _cell_plan(locale: str) -> list[tuple[int, object]]:
    """Per export column of the fields: which value of the row it shows and the converter
    that makes the cell (``None``: the value as stored)."""
    plan = []
    for index, spec in enumerate(exported_fields()):
        for column in spec.exports:
            plan.append((index, spec.kind.exporter(locale) if column.named else None))
    return plan


def registration_rows(
    event_id: int,
    locale: str | None = None,
    with_header: bool = True,
    zone: str | None = None,
    include_sensitive: bool = False,
) -> Iterator[tuple]:
    """The header (unless ``with_header`` is false), then one tuple per registration by id.

    Statuses, languages, country names and yes/no are in ``locale``. Instants are ISO 8601 text
    in UTC, or with ``zone`` (for a spreadsheet) datetimes of that zone without an offset, which
    a spreadsheet stores as real dates; the header names the zone either way. The event's own
    questions come last, one column each; sensitive ones only with ``include_sensitive``
    (the caller audits that choice).
    """
    locale = locale or current_app.config["DEFAULT_LOCALE"]
    asked = event_questions.exported_questions(event_id, include_sensitive=include_sensitive)
    if with_header:
        yield header(locale, zone, asked)
    rows = _registration_rows(event_id, locale, zone)
    if not asked:
        yield from rows
        return
    blank = [""] * len(asked)
    while batch := list(islice(rows, BATCH_ROWS)):
        cells = event_questions.export_cells(asked, [row[0] for row in batch], locale)
        for row in batch:
            yield (*row, *cells.get(row[0], blank))


def _registration_rows(event_id: int, locale: str, zone: str | None) -> Iterator[tuple]:
    statuses = _status_labels(locale)
    plan = _cell_plan(locale)
    field_count = len(exported_fields())
    when = _wall_time_in(zone) if zone else iso_utc
    attendance_cells = _attendance_cells(event_id, locale, when)
    statement = (
        select(
            *(column for column, _title, _width in _LEADING),
            *(_table[spec.column] for spec in exported_fields()),
            *_TIMES,
            _table.address_hold_until,
        )
        .where(_table.event_id == event_id)
        .order_by(_table.id)
        .execution_options(yield_per=BATCH_ROWS)
    )
    result = db.session.execute(statement)
    try:
        for row in result:
            reg_id, status = row[0], row[1]
            values = row[2 : 2 + field_count]
            held = row[-1] is not None and status != RegistrationStatus.CANCELLED
            yield (
                reg_id,
                statuses.get((status, _HELD) if held else status, status.value),
                *[
                    values[index] if convert is None else convert(values[index])
                    for index, convert in plan
                ],
                *[when(instant) for instant in row[2 + field_count : -1]],
                *attendance_cells(reg_id),
            )
    finally:
        result.close()


def _attendance_cells(event_id: int, locale: str, when):
    """The attendance columns of one registration: minutes, attended (yes/no), first join;
    empty for someone in no report. One query for the event, kept as a small dict."""
    with force_locale(locale):
        yes, no = _("Yes"), _("No")
    known = {
        registration_id: (minutes, yes if attended else no, when(first))
        for registration_id, minutes, attended, first in db.session.execute(
            select(
                Attendance.registration_id,
                Attendance.minutes,
                Attendance.attended,
                Attendance.first_joined_at,
            ).where(Attendance.event_id == event_id)
        )
    }
    empty = ("", "", when(None))

    def cells(registration_id: int) -> tuple:
        return known.get(registration_id, empty)

    return cells


def iso_utc(instant: datetime | None) -> str:
    """``2026-11-22T10:00:00Z``, or an empty cell."""
    if instant is None:
        return ""
    return instant.isoformat(timespec="seconds")[:-6] + "Z"


def _wall_time_in(zone: str):
    """A converter from an instant to the naive wall time in ``zone`` (``None`` stays empty)."""
    tz = clock.zone(zone)

    def convert(instant: datetime | None):
        return None if instant is None else instant.astimezone(tz).replace(tzinfo=None)

    return convert


def csv_chunks(rows: Iterable[Iterable], delimiter: str = ",") -> Iterator[bytes]:
    """UTF-8 CSV with a byte-order mark (so Excel shows accents), in chunks of about 64 KiB."""
    buffer = io.StringIO()
    buffer.write("\ufeff")
    writer = csv.writer(buffer, delimiter=delimiter, lineterminator="\r\n")
    for row in rows:
        # neutralise(), inlined for plain ASCII starts: this line runs for every cell.
        writer.writerow(
            [
                "'" + c
                if isinstance(c, str)
                and c
                and (c[0] in _TRIGGER_SET or (not c[0].isascii() and starts_a_formula(c)))
                else c
                for c in row
            ]
        )
        if buffer.tell() >= CHUNK_BYTES:
            yield buffer.getvalue().encode("utf-8")
            buffer.seek(0)
            buffer.truncate()
    yield buffer.getvalue().encode("utf-8")


#: Characters XML 1.0 cannot carry (control characters but tab, line feed, carriage return).
_ILLEGAL_CHARACTERS = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f]")
_HEADER_FORMAT = {
    "bold": True,
    "font_color": "#FFFFFF",
    "bg_color": "#1F4E79",
    "pattern": 1,
    "valign": "top",
    "text_wrap": True,
}
_DATE_FORMAT = "yyyy-mm-dd hh:mm"


def write_xlsx(
    rows: Iterable[Iterable], fileobj, title: str = "Registrations", widths=XLSX_WIDTHS
) -> None:
    """Write ``rows`` as one sheet with XlsxWriter in constant-memory mode: each row goes to a
    temporary file as it is written, so memory stays that of one row. The first row is a bold,
    coloured header that stays in view and carries a filter, datetimes are dates, columns
    ``widths`` characters wide.

    XlsxWriter rather than openpyxl's write-only mode: the same flat memory, but it writes
    each cell straight to XML instead of building a cell object per value, which made the
    export of 100,000 rows about four times slower than CSV (see bench/README.md). Every text
    is written with ``write_string`` (never ``write``), so no text is ever read as a formula,
    a number or a link: ``=1+1`` shows as typed.
    """
    workbook = xlsxwriter.Workbook(
        fileobj,
        {
            "constant_memory": True,
            "tmpdir": tempfile.gettempdir(),
            "remove_timezone": True,
            "strings_to_formulas": False,
            "strings_to_numbers": False,
            "strings_to_urls": False,
        },
    )
    sheet = workbook.add_worksheet(title[:31])
    heading = workbook.add_format(_HEADER_FORMAT)
    dated = workbook.add_format({"num_format": _DATE_FORMAT})
    sheet.freeze_panes(1, 0)
    for index, width in enumerate(widths):
        sheet.set_column(index, index, width)
    rows = iter(rows)
    first = next(rows, None)
    count, columns = 0, 0
    if first is not None:
        first = list(first)
        for column, value in enumerate(first):
            _write_cell(sheet, 0, column, value, dated, heading)
        count, columns = 1, len(first)
    for row in rows:
        for column, value in enumerate(row):
            _write_cell(sheet, count, column, value, dated)
        count += 1
    if columns:
        sheet.autofilter(0, 0, count - 1, columns - 1)
    workbook.close()


def _write_cell(sheet, row: int, column: int, value, dated, style=None) -> None:
    """Datetimes as dates; text as a string cell, which no spreadsheet evaluates; numbers and
    booleans as such; nothing for ``None``."""
    if value is None or value == "":
        if style is not None:
            sheet.write_blank(row, column, None, style)
        return
    if isinstance(value, datetime):
        sheet.write_datetime(row, column, value, dated)
    elif isinstance(value, bool):
        sheet.write_boolean(row, column, value, style)
    elif isinstance(value, int | float):
        sheet.write_number(row, column, value, style)
    else:
        # XML reads a carriage return as a line feed: written as one, not as an escape.
        text = str(value).replace("\r\n", "\n").replace("\r", "\n")
        sheet.write_string(row, column, _ILLEGAL_CHARACTERS.sub("", text), style)


def xlsx_chunks(
    rows: Iterable[Iterable],
    title: str = "Registrations",
    chunk_size: int = CHUNK_BYTES,
    widths=XLSX_WIDTHS,
) -> Iterator[bytes]:
    """The workbook built in a spooled temporary file, then read back in chunks."""
    with tempfile.SpooledTemporaryFile(max_size=1024 * 1024) as spool:
        write_xlsx(rows, spool, title, widths)
        spool.seek(0)
        while chunk := spool.read(chunk_size):
            yield chunk


def download_name(
    slug: str, extension: str, day: date, what: str = "registrations", variant: str = ""
) -> str:
    """``<slug>-<what>-<day>[-<variant>].<extension>``: each format and variant its own name,
    so that two downloads never overwrite or rename each other."""
    suffix = f"-{variant}" if variant else ""
    return f"{slug}-{what}-{day.isoformat()}{suffix}.{extension}"


def content_disposition(filename: str) -> str:
    """``attachment`` with an ASCII ``filename`` and the exact UTF-8 ``filename*`` (RFC 6266)."""
    fallback = filename.encode("ascii", "replace").decode("ascii").replace('"', "")
    fallback = fallback.replace("?", "_").replace("\\", "_")
    return f"attachment; filename=\"{fallback}\"; filename*=UTF-8''{quote(filename, safe='')}"
