"""Registrations as CSV and XLSX streams: formula-safe, with memory that stays flat.

Rows are read as plain tuples in batches (``yield_per``), never as ORM objects, and written
through small buffers, so an export of 100,000 registrations needs no more memory than one of
100. Everything here works without a request (the benchmarks call it directly).
"""

import csv
import io
import tempfile
import unicodedata
from collections.abc import Iterable, Iterator
from datetime import date, datetime
from functools import cache
from urllib.parse import quote

from babel import Locale
from flask import current_app
from flask_babel import force_locale
from flask_babel import lazy_gettext as _l
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
from sqlalchemy import select

from eventsvc.extensions import db
from eventsvc.models import Registration

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

#: (table column, header) in file order; docs/exports.md describes each one. Table columns,
#: not ORM attributes: rows come back as plain tuples without the ORM's loading machinery.
COLUMNS = (
    (_table.id, _l("ID")),
    (_table.status, _l("Status")),
    (_table.full_name, _l("Full name")),
    (_table.email, _l("Email")),
    (_table.organisation, _l("Organisation")),
    (_table.country, _l("Country code")),
    (None, _l("Country")),
    (_table.language, _l("Communication language")),
    (_table.interpretation_language, _l("Interpretation language")),
    (_table.question, _l("Question")),
    (_table.newsletter, _l("Newsletter asked for")),
    (_table.newsletter_confirmed_at, _l("Newsletter confirmed at (UTC)")),
    (_table.consent_at, _l("Consent given at (UTC)")),
    (_table.created_at, _l("Registered at (UTC)")),
    (_table.promoted_at, _l("Promoted at (UTC)")),
    (_table.cancelled_at, _l("Cancelled at (UTC)")),
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


def header(locale: str | None = None) -> tuple[str, ...]:
    """The column titles in ``locale`` (the current locale by default)."""
    with force_locale(locale or current_app.config["DEFAULT_LOCALE"]):
        return tuple(str(title) for _column, title in COLUMNS)


def registration_rows(
    event_id: int, locale: str | None = None, with_header: bool = True
) -> Iterator[tuple]:
    """The header (unless ``with_header`` is false), then one tuple per registration by id.

    Country names are in ``locale``; instants are ISO 8601 in UTC; booleans are ``yes``/``no``.
    """
    locale = locale or current_app.config["DEFAULT_LOCALE"]
    if with_header:
        yield header(locale)
    countries = _country_names(locale)
    statement = (
        select(*(column for column, _title in COLUMNS if column is not None))
        .where(_table.event_id == event_id)
        .order_by(_table.id)
        .execution_options(yield_per=BATCH_ROWS)
    )
    result = db.session.execute(statement)
    try:
        for (
            reg_id,
            status,
            name,
            email,
            organisation,
            country,
            language,
            interpretation,
            question,
            newsletter,
            newsletter_confirmed_at,
            consent_at,
            created_at,
            promoted_at,
            cancelled_at,
        ) in result:
            yield (
                reg_id,
                status.value,
                name,
                email,
                organisation,
                country,
                countries.get(country, country),
                language,
                interpretation or "",
                question,
                "yes" if newsletter else "no",
                iso_utc(newsletter_confirmed_at),
                iso_utc(consent_at),
                iso_utc(created_at),
                iso_utc(promoted_at),
                iso_utc(cancelled_at),
            )
    finally:
        result.close()


def iso_utc(instant: datetime | None) -> str:
    """``2026-11-22T10:00:00Z``, or an empty cell."""
    if instant is None:
        return ""
    return instant.isoformat(timespec="seconds")[:-6] + "Z"


@cache
def _country_names(locale: str) -> dict[str, str]:
    return dict(Locale.parse(locale).territories)


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


def write_xlsx(rows: Iterable[Iterable], fileobj, title: str = "Registrations") -> None:
    """Write ``rows`` as one sheet with openpyxl's write-only workbook (rows go to disk)."""
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(title=title[:31])
    for row in rows:
        sheet.append([_xlsx_cell(sheet, cell) for cell in row])
    workbook.save(fileobj)


def _xlsx_cell(sheet, cell):
    """Text as a string cell, which no spreadsheet evaluates: ``=1+1`` shows as typed, with
    no guard apostrophe (openpyxl would otherwise store text starting with ``=`` as a
    formula)."""
    if not isinstance(cell, str):
        return cell
    text = WriteOnlyCell(sheet, ILLEGAL_CHARACTERS_RE.sub("", cell))
    text.data_type = "s"
    return text


def xlsx_chunks(
    rows: Iterable[Iterable], title: str = "Registrations", chunk_size: int = CHUNK_BYTES
) -> Iterator[bytes]:
    """The workbook built in a spooled temporary file, then read back in chunks."""
    with tempfile.SpooledTemporaryFile(max_size=1024 * 1024) as spool:
        write_xlsx(rows, spool, title)
        spool.seek(0)
        while chunk := spool.read(chunk_size):
            yield chunk


def download_name(slug: str, extension: str, day: date, what: str = "registrations") -> str:
    return f"{slug}-{what}-{day.isoformat()}.{extension}"


def content_disposition(filename: str) -> str:
    """``attachment`` with an ASCII ``filename`` and the exact UTF-8 ``filename*`` (RFC 6266)."""
    fallback = filename.encode("ascii", "replace").decode("ascii").replace('"', "")
    fallback = fallback.replace("?", "_").replace("\\", "_")
    return f"attachment; filename=\"{fallback}\"; filename*=UTF-8''{quote(filename, safe='')}"
