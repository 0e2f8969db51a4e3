"""Reading the meeting platforms' participant reports into plain rows.

Formats (auto-detected, or forced):

- ``zoom``: the meeting participants report ("Name (original name)", "User email", "Join time",
  "Leave time", "Duration (minutes)", …), with or without its meeting header block, and the
  webinar attendee report (a header block, then "Host Details", "Panelist Details",
  "Attendee Details" sections, each with its own header row).
- ``teams``: Microsoft Teams' attendance report, tab-separated UTF-16 with a BOM or CSV: a
  summary block ("1. Summary"), the participants ("2. Participants": first join, last leave,
  in-meeting duration) and, in the newer reports, each session ("3. In-Meeting Activities").
  The older "Full Name / User Action / Timestamp" list of joins and leaves is read too.
- ``bbb``: BigBlueButton's Learning Dashboard download (Name, Moderator, …, Join, Left,
  Duration); it has no addresses, so its rows match by name.
- ``generic``: a CSV with a header row naming ``email``, and ``minutes`` and/or ``join`` and
  ``leave`` (optional ``name``).

Every cell goes through the standard :mod:`csv` reader. Problems are collected with their line
and column (:class:`ReportProblem`) and raised together as :class:`ReportError`; a file that
raises stores nothing. Times without an offset are returned naive: the caller applies the zone
the organiser gave (``needs_timezone`` says whether one is needed).
"""

import csv
import enum
import io
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import datetime

from flask_babel import lazy_gettext as _l

from eventsvc.models.attendance import ReportFormat
from eventsvc.services import DomainError

#: A row longer than this is a mistake in the file, not a person (a whole day).
MAX_ROW_MINUTES = 24 * 60
#: At most this many problems are reported, so the message stays readable.
MAX_PROBLEMS = 20


class Role(enum.StrEnum):
    ATTENDEE = "attendee"
    #: The host, a co-host, a panelist, a presenter, a moderator: stored, set aside.
    STAFF = "staff"
    #: Listed as registered but never joined (the webinar report's "Attended: No").
    ABSENT = "absent"


@dataclass
class ParsedRow:
    line: int
    name: str = ""
    email: str = ""
    joined: datetime | None = None
    left: datetime | None = None
    minutes: int = 0
    role: Role = Role.ATTENDEE


@dataclass
class ParsedReport:
    format: ReportFormat
    rows: list[ParsedRow] = field(default_factory=list)

    @property
    def needs_timezone(self) -> bool:
        """Whether some time in the file has no offset (the organiser must say the zone)."""
        return any(
            moment is not None and moment.tzinfo is None
            for row in self.rows
            for moment in (row.joined, row.left)
        )


@dataclass(frozen=True)
class ReportProblem:
    line: int | None
    column: str | None
    message: object  # a lazy translatable string

    def __str__(self) -> str:
        if self.line is not None and self.column:
            return str(
                _l(
                    "Line %(line)s, column “%(column)s”: %(message)s",
                    line=self.line,
                    column=self.column,
                    message=self.message,
                )
            )
        if self.line is not None:
            return str(_l("Line %(line)s: %(message)s", line=self.line, message=self.message))
        return str(self.message)


class ReportError(DomainError):
    """The file cannot be imported; ``problems`` says where and why. Nothing was stored."""

    def __init__(self, problems: list[ReportProblem]):
        self.problems = problems
        super().__init__(_l("The report could not be imported; nothing was stored."))

    def __str__(self) -> str:
        return "\n".join([str(self.message), *(str(p) for p in self.problems)])


def _fail(message, line=None, column=None):
    raise ReportError([ReportProblem(line, column, message)])


# --- decoding ------------------------------------------------------------------------------


def decode(content: bytes) -> str:
    """The file's text: UTF-16 with a byte-order mark (Teams), UTF-8 with or without one."""
    if not content.strip():
        _fail(_l("The file is empty."))
    if content.startswith(b"PK\x03\x04"):
        _fail(_l("This is a spreadsheet (XLSX), not a CSV file: save or export it as CSV."))
    if content.startswith((b"\xff\xfe", b"\xfe\xff")):
        try:
            text = content.decode("utf-16")
        except UnicodeDecodeError:
            _fail(_l("The file says it is UTF-16 but is not: export the report again."))
    else:
        try:
            text = content.decode("utf-8-sig")
        except UnicodeDecodeError as error:
            line = content[: error.start].count(b"\n") + 1
            _fail(
                _l(
                    "the text is not in UTF-8 (nor UTF-16 with a byte-order mark): "
                    "export the report again as UTF-8 CSV."
                ),
                line=line,
            )
        if "\x00" in text:
            _fail(_l("The file is binary or UTF-16 without a byte-order mark: export it as CSV."))
    start = text.lstrip()[:200].lower()
    if start.startswith(("<!doctype html", "<html", "<?xml", "<head", "<body")):
        _fail(
            _l(
                "This is a web page, not a participant report (saved from the browser?): "
                "download the report file from the platform instead."
            )
        )
    return text


def _rows(text: str) -> list[list[str]]:
    """The file's cells, by the csv module: tab-separated when the first line has a tab."""
    # Teams' export is tab-separated and its times hold commas ("12/6/26, 1:29:40 PM"); its
    # first lines are a title. A header row with several tabs decides.
    head = text.split("\n", 40)[:40]
    delimiter = "\t" if any(line.count("\t") >= 2 for line in head) else ","
    try:
        return [
            [cell.strip() for cell in row]
            for row in csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
        ]
    except csv.Error as error:
        _fail(_l("The file is not valid CSV (%(error)s).", error=str(error)))


# --- values --------------------------------------------------------------------------------

_SPACES = re.compile(r"[\s\u202f\u00a0]+")
_DATE_FORMATS = [
    f"{date}{sep}{time}"
    for date in ("%m/%d/%Y", "%d/%m/%Y", "%m/%d/%y", "%d/%m/%y", "%d.%m.%Y", "%Y/%m/%d")
    for sep in (" ", ", ")
    for time in ("%I:%M:%S %p", "%I:%M %p", "%H:%M:%S", "%H:%M")
]
_TEAMS_DURATION = re.compile(r"^(?:(\d+)h)?\s*(?:(\d+)m)?\s*(?:(\d+)s)?$")
_CLOCK_DURATION = re.compile(r"^(\d+):([0-5]\d)(?::([0-5]\d))?$")


def parse_time(text: str, near: datetime | None) -> datetime:
    """A time as the platforms write it: ISO 8601 (with or without offset), or month/day or
    day/month with a 12- or 24-hour clock. When both orders parse, the one closest to ``near``
    (the event's start, naive wall time) wins. Raises ``ValueError``."""
    value = _SPACES.sub(" ", text).strip()
    try:
        return datetime.fromisoformat(value)
    except ValueError:
        pass
    candidates = []
    for fmt in _DATE_FORMATS:
        try:
            candidates.append(datetime.strptime(value, fmt))
        except ValueError:
            continue
    if not candidates:
        raise ValueError(value)
    if near is None:
        return candidates[0]
    return min(candidates, key=lambda moment: abs(moment - near))


def parse_minutes(text: str) -> float:
    """A duration as minutes: ``42`` or ``42.5`` (minutes), ``1h 5m 21s`` (Teams), ``01:05:21``
    (BigBlueButton). Raises ``ValueError``."""
    value = _SPACES.sub(" ", text).strip()
    if not value:
        raise ValueError(value)
    clock = _CLOCK_DURATION.match(value)
    if clock:
        hours, minutes, seconds = clock.groups()
        if seconds is None:  # "05:21" is minutes and seconds
            return int(hours) + int(minutes) / 60
        return int(hours) * 60 + int(minutes) + int(seconds) / 60
    teams = _TEAMS_DURATION.match(value.replace(" ", ""))
    if teams and any(teams.groups()):
        hours, minutes, seconds = (int(part or 0) for part in teams.groups())
        return hours * 60 + minutes + seconds / 60
    number = float(value.replace(",", "."))
    if number != number or number in (float("inf"), float("-inf")):  # NaN, infinity
        raise ValueError(value)
    return number


# --- a table with named columns -------------------------------------------------------------


def _key(header: str) -> str:
    return _SPACES.sub(" ", header).strip().casefold()


class _Table:
    """Rows under one header row, read by column name, collecting problems as it goes."""

    def __init__(self, header: list[str], problems: list[ReportProblem], near: datetime | None):
        self.header = header
        self.index = {_key(name): position for position, name in enumerate(header) if name}
        self.problems = problems
        self.near = near

    def column(self, *names: str) -> str | None:
        """The first of ``names`` the header has (case and spacing ignored)."""
        return next((name for name in names if _key(name) in self.index), None)

    def cell(self, row: list[str], name: str | None) -> str:
        if name is None:
            return ""
        position = self.index[_key(name)]
        return row[position] if position < len(row) else ""

    def problem(self, line: int, column: str | None, message) -> None:
        if len(self.problems) < MAX_PROBLEMS:
            self.problems.append(ReportProblem(line, self._shown(column), message))

    def _shown(self, column: str | None) -> str | None:
        if column is None:
            return None
        return self.header[self.index[_key(column)]]

    def time(self, row: list[str], line: int, name: str | None) -> datetime | None:
        text = self.cell(row, name)
        if text in ("", "-", "--"):
            return None
        try:
            return parse_time(text, self.near)
        except ValueError:
            self.problem(line, name, _l("“%(value)s” is not a date and time.", value=text))
            return None

    def minutes(self, row: list[str], line: int, name: str | None) -> float | None:
        text = self.cell(row, name)
        if text in ("", "-", "--"):
            return None
        try:
            value = parse_minutes(text)
        except ValueError:
            self.problem(line, name, _l("“%(value)s” is not a duration.", value=text))
            return None
        if value < 0:
            self.problem(line, name, _l("a duration cannot be negative (%(value)s).", value=text))
            return None
        if value > MAX_ROW_MINUTES:
            self.problem(
                line,
                name,
                _l("%(value)s is more than a day: not a duration of presence.", value=text),
            )
            return None
        return value


def _finish(
    table: _Table,
    row: list[str],
    line: int,
    *,
    name: str,
    email: str,
    join_column: str | None,
    leave_column: str | None,
    minutes_column: str | None,
    role: Role = Role.ATTENDEE,
) -> ParsedRow | None:
    """One person's row from its cells: times, minutes, and the checks between them."""
    before = len(table.problems)
    joined = table.time(row, line, join_column)
    left = table.time(row, line, leave_column)
    minutes = table.minutes(row, line, minutes_column)
    if len(table.problems) > before:
        return None
    if joined is not None and left is not None:
        if (joined.tzinfo is None) != (left.tzinfo is None):
            table.problem(line, leave_column, _l("one time has an offset and the other not."))
            return None
        seconds = (left - joined).total_seconds()
        if seconds < 0:
            table.problem(line, leave_column, _l("the leave time is before the join time."))
            return None
        if seconds > MAX_ROW_MINUTES * 60:
            table.problem(line, leave_column, _l("more than a day after the join time."))
            return None
        if minutes is None:
            minutes = seconds / 60
    if minutes is None and role == Role.ATTENDEE:
        table.problem(
            line, minutes_column or join_column, _l("no duration and no join and leave times.")
        )
        return None
    return ParsedRow(
        line=line,
        name=name[:200],
        email=email[:254],
        joined=joined,
        left=left,
        minutes=round(minutes or 0),
        role=role,
    )


# --- formats -------------------------------------------------------------------------------


def _numbered(rows: list[list[str]]) -> Iterator[tuple[int, list[str]]]:
    """Rows with their line numbers (a quoted line break would shift them; reports have none)."""
    yield from enumerate(rows, start=1)


def _is_blank(row: list[str]) -> bool:
    return not any(cell for cell in row)


def _find_header(rows: list[list[str]], *needles: str, start: int = 0) -> int | None:
    wanted = {_key(n) for n in needles}
    for position in range(start, len(rows)):
        cells = {_key(cell) for cell in rows[position]}
        if wanted <= cells:
            return position
    return None


def _zoom(rows, near, problems) -> list[ParsedRow]:
    if _find_header(rows, "Attendee Details") is not None:
        return _zoom_webinar(rows, near, problems)
    position = _find_header(rows, "Name (original name)", "Join time")
    if position is None:
        position = _find_header(rows, "Name (original name)", "Duration (minutes)")
    if position is None:
        _fail(_l("No “Name (original name)” header row: is this Zoom's participants report?"))
    table = _Table(rows[position], problems, near)
    name_col = table.column("Name (original name)")
    email_col = table.column("User email", "Email")
    join_col = table.column("Join time")
    leave_col = table.column("Leave time")
    minutes_col = table.column("Duration (minutes)", "Total duration (minutes)")
    found = []
    for line, row in _numbered(rows):
        if line <= position + 1 or _is_blank(row):
            continue
        parsed = _finish(
            table,
            row,
            line,
            name=table.cell(row, name_col),
            email=table.cell(row, email_col),
            join_column=join_col,
            leave_column=leave_col,
            minutes_column=minutes_col,
        )
        if parsed:
            found.append(parsed)
    return found


_WEBINAR_SECTIONS = {
    "host details": Role.STAFF,
    "panelist details": Role.STAFF,
    "attendee details": Role.ATTENDEE,
}


def _zoom_webinar(rows, near, problems) -> list[ParsedRow]:
    """The webinar attendee report: sections, each a title line then a header row."""
    found = []
    role = None
    table = None
    expect_header = False
    for line, row in _numbered(rows):
        if _is_blank(row):
            continue
        title = _key(row[0]) if len([c for c in row if c]) == 1 else ""
        if title in _WEBINAR_SECTIONS:
            role, table, expect_header = _WEBINAR_SECTIONS[title], None, True
            continue
        if title and table is not None and not expect_header:
            role, table = None, None  # another section (polls, Q&A…): not about presence
            continue
        if role is None:
            continue
        if expect_header:
            table, expect_header = _Table(row, problems, near), False
            continue
        name_col = table.column("User Name (Original Name)", "User Name", "Name (original name)")
        name = table.cell(row, name_col)
        if not name:
            first, last = table.column("First Name"), table.column("Last Name")
            name = f"{table.cell(row, first)} {table.cell(row, last)}".strip()
        attended = table.cell(row, table.column("Attended")).casefold()
        row_role = Role.ABSENT if attended == "no" else role
        parsed = _finish(
            table,
            row,
            line,
            name=name,
            email=table.cell(row, table.column("Email", "User email")),
            join_column=table.column("Join Time"),
            leave_column=table.column("Leave Time"),
            minutes_column=table.column("Time in Session (minutes)", "Duration (minutes)"),
            role=row_role,
        )
        if parsed:
            found.append(parsed)
    return found


_TEAMS_STAFF = {"organizer", "organiser", "presenter", "co-organizer", "co-organiser"}


def _teams(rows, near, problems) -> list[ParsedRow]:
    # The older report: one line per join or leave.
    old = _find_header(rows, "Full Name", "User Action", "Timestamp")
    if old is not None:
        return _teams_actions(rows, old, near, problems)
    # The newer: sessions in "In-Meeting Activities", else totals in "Participants".
    activities = _find_header(rows, "Name", "Join Time", "Leave Time")
    if activities is not None:
        columns = ("Join Time", "Leave Time", "Duration")
        position = activities
    else:
        position = _find_header(rows, "Name", "First Join", "Last Leave")
        if position is None:
            position = _find_header(rows, "Name", "First join", "In-meeting duration")
        if position is None:
            _fail(_l("No participants header row (“Name”, “First Join”…): is this a Teams report?"))
        columns = ("First Join", "Last Leave", "In-Meeting Duration")
    table = _Table(rows[position], problems, near)
    join_col, leave_col, minutes_col = (table.column(c) for c in columns)
    found = []
    for line, row in _numbered(rows):
        if line <= position + 1:
            continue
        if _is_blank(row) or (len([c for c in row if c]) == 1 and re.match(r"^\d+\.", row[0])):
            break  # the end of the section
        role = table.cell(row, table.column("Role")).casefold()
        parsed = _finish(
            table,
            row,
            line,
            name=table.cell(row, table.column("Name")),
            email=table.cell(row, table.column("Email", "Participant ID (UPN)")),
            join_column=join_col,
            leave_column=None if activities is None else leave_col,
            minutes_column=minutes_col,
            role=Role.STAFF if role in _TEAMS_STAFF else Role.ATTENDEE,
        )
        if parsed:
            # "Participants" totals: Teams has merged the sessions; the duration counts.
            found.append(parsed)
    return found


def _teams_actions(rows, position, near, problems) -> list[ParsedRow]:
    table = _Table(rows[position], problems, near)
    name_col, action_col, time_col = "Full Name", "User Action", "Timestamp"
    open_joins: dict[str, tuple[int, datetime]] = {}
    found = []
    last_time = None
    for line, row in _numbered(rows):
        if line <= position + 1 or _is_blank(row):
            continue
        name = table.cell(row, name_col)
        moment = table.time(row, line, time_col)
        if moment is None:
            if table.cell(row, time_col) == "":
                table.problem(line, time_col, _l("no time."))
            continue
        last_time = moment if last_time is None else max(last_time, moment)
        action = table.cell(row, action_col).casefold()
        if action.startswith("join"):
            open_joins.setdefault(name, (line, moment))
        elif action.startswith("left") or action.startswith("leave"):
            if name in open_joins:
                start_line, start = open_joins.pop(name)
                if moment < start:
                    table.problem(line, time_col, _l("the leave time is before the join time."))
                    continue
                found.append(_interval(start_line, name, start, moment))
        else:
            table.problem(
                line, action_col, _l("“%(value)s” is neither joined nor left.", value=action)
            )
    for name, (line, start) in open_joins.items():  # still there when the report was taken
        found.append(_interval(line, name, start, max(last_time, start)))
    return sorted(found, key=lambda row: row.line)


def _interval(line, name, start, end) -> ParsedRow:
    minutes = round((end - start).total_seconds() / 60)
    return ParsedRow(line=line, name=name, joined=start, left=end, minutes=minutes)


def _bbb(rows, near, problems) -> list[ParsedRow]:
    position = _find_header(rows, "Name", "Moderator", "Join")
    if position is None:
        _fail(_l("No “Name, Moderator, …, Join” header row: is this BigBlueButton's file?"))
    table = _Table(rows[position], problems, near)
    found = []
    for line, row in _numbered(rows):
        if line <= position + 1 or _is_blank(row):
            continue
        moderator = table.cell(row, "Moderator").casefold() in ("true", "yes", "1")
        if table.cell(row, "Join") in ("", "-"):
            continue  # the anonymous poll answers' line
        parsed = _finish(
            table,
            row,
            line,
            name=table.cell(row, "Name"),
            email="",
            join_column="Join",
            # First join to last leave may span gaps; the duration is the time online.
            leave_column=None,
            minutes_column=table.column("Duration"),
            role=Role.STAFF if moderator else Role.ATTENDEE,
        )
        if parsed:
            found.append(parsed)
    return found


_GENERIC = {
    # English, then the names a French or Spanish spreadsheet may use.
    "email": ("email", "e-mail", "mail", "email address", "courriel", "correo electrónico"),
    "name": ("name", "full name", "nom", "nombre"),
    "minutes": ("minutes", "duration (minutes)", "duration", "durée", "minutos"),
    "join": ("join", "joined", "join time", "joined at", "arrivée", "entrada"),
    "leave": ("leave", "left", "leave time", "left at", "départ", "salida"),
}


def _generic(rows, near, problems) -> list[ParsedRow]:
    if not rows:
        _fail(_l("The file is empty."))
    table = _Table(rows[0], problems, near)
    columns = {key: table.column(*names) for key, names in _GENERIC.items()}
    if columns["email"] is None:
        _fail(_l("The first line must name the columns, among them “email”."), line=1)
    if columns["minutes"] is None and (columns["join"] is None or columns["leave"] is None):
        _fail(_l("The first line must name “minutes”, or “join” and “leave”."), line=1)
    found = []
    for line, row in _numbered(rows):
        if line == 1 or _is_blank(row):
            continue
        parsed = _finish(
            table,
            row,
            line,
            name=table.cell(row, columns["name"]),
            email=table.cell(row, columns["email"]),
            join_column=columns["join"],
            leave_column=columns["leave"],
            minutes_column=columns["minutes"],
        )
        if parsed:
            found.append(parsed)
    return found


_PARSERS = {
    ReportFormat.ZOOM: _zoom,
    ReportFormat.TEAMS: _teams,
    ReportFormat.BBB: _bbb,
    ReportFormat.GENERIC: _generic,
}


def detect(rows: list[list[str]]) -> ReportFormat | None:
    """The format the file's first lines look like, or ``None``."""
    head = rows[:40]
    cells = {_key(cell) for row in head for cell in row}
    if "attendee details" in cells or "name (original name)" in cells:
        return ReportFormat.ZOOM
    if (
        "1. summary" in cells
        or {"first join", "last leave"} <= cells
        or {
            "full name",
            "user action",
        }
        <= cells
    ):
        return ReportFormat.TEAMS
    if {"name", "moderator", "join"} <= cells:
        return ReportFormat.BBB
    first = {_key(cell) for cell in rows[0]} if rows else set()
    if first & set(_GENERIC["email"]):
        return ReportFormat.GENERIC
    return None


def parse(content: bytes, format: ReportFormat | None = None, near: datetime | None = None):
    """Read ``content`` (the file's bytes) as ``format``, or the format it looks like.

    ``near`` (the event's start, a naive wall time in the zone the file is read in) decides
    between month/day and day/month. Raises :class:`ReportError`."""
    rows = _rows(decode(content))
    detected = detect(rows)
    if format is None:
        if detected is None:
            _fail(
                _l(
                    "Unknown report format: expected Zoom's participants report, Teams' "
                    "attendance report, BigBlueButton's dashboard file or a CSV with an "
                    "“email” column."
                )
            )
        format = detected
    problems: list[ReportProblem] = []
    found = _PARSERS[format](rows, near, problems)
    if problems:
        raise ReportError(problems)
    if not found:
        _fail(_l("The report lists nobody."))
    return ParsedReport(format=format, rows=found)


__all__ = [
    "ParsedReport",
    "ParsedRow",
    "ReportError",
    "ReportProblem",
    "Role",
    "detect",
    "parse",
    "parse_minutes",
    "parse_time",
]
