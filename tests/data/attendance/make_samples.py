"""Writes the participant reports in the platforms' own formats, for the attendance tests and
for trying the upload page by hand: ``python tests/data/attendance/make_samples.py``.

The meeting is the GPS launch of the test factories: 6 December 2026, 13:30–14:30 in Paris.
Every platform writes local wall times without an offset (the time zone is asked at upload),
except the generic file, which gives offsets. Files are written with the ``csv`` module in each
platform's layout: Zoom's UTF-8 CSV (meeting and webinar), Teams' tab-separated UTF-16 with a
byte-order mark and its CSV variant, BigBlueButton's quoted CSV, a generic CSV.
"""

import csv
import io
from datetime import datetime, timedelta
from pathlib import Path

HERE = Path(__file__).parent
DAY = datetime(2026, 12, 6)

#: Who registered (the tests register them) and who came, in wall time on the day.
ROSTER = [
    {"name": "Ana López", "email": "ana.lopez@example.org", "language": "es", "country": "MX"},
    {"name": "Jean Dupont", "email": "jean.dupont@example.org", "language": "fr", "country": "FR"},
    {"name": "Μαρία Παπαδοπούλου", "email": "maria@example.gr", "language": "en", "country": "GR"},
    {"name": "Иван Петров", "email": "ivan@example.ru", "language": "en", "country": "RU"},
]


def at(hhmmss: str) -> datetime:
    hours, minutes, seconds = (int(part) for part in hhmmss.split(":"))
    return DAY.replace(hour=hours, minute=minutes, second=seconds)


#: (shown name, address or "", join, leave): Ana rejoins with an overlap (13:29:10–14:30:00,
#: 61 minutes once counted once), Jean has no address in the file and stays 20 minutes, Maria
#: stays 40, Ivan never comes, Kofi did not register, the host is the organiser.
SESSIONS = [
    ("OMEP Events", "events@omep.example", at("13:20:00"), at("14:35:00")),
    ("Ana López", "ANA.Lopez@Example.org", at("13:29:10"), at("13:50:00")),
    ("Ana López", "ana.lopez@example.org", at("13:45:00"), at("14:30:00")),
    ("JD (Jean Dupont)", "", at("13:40:00"), at("14:00:00")),
    ("Μαρία Παπαδοπούλου", "maria@example.gr", at("13:35:00"), at("14:15:00")),
    ("Kofi Mensah", "kofi@example.org", at("13:31:00"), at("14:29:00")),
]
HOST = "events@omep.example"


def minutes(start: datetime, end: datetime) -> int:
    return -(-int((end - start).total_seconds()) // 60)  # Zoom rounds up


def _csv(rows, delimiter=",", quoting=csv.QUOTE_MINIMAL) -> str:
    out = io.StringIO(newline="")
    csv.writer(out, delimiter=delimiter, quoting=quoting, lineterminator="\r\n").writerows(rows)
    return out.getvalue()


def zoom_time(moment: datetime) -> str:
    return moment.strftime("%m/%d/%Y %I:%M:%S %p")


def zoom_meeting(header_block: bool) -> str:
    rows = []
    if header_block:
        rows += [
            [
                "Meeting ID",
                "Topic",
                "Start time",
                "End time",
                "User email",
                "Duration (minutes)",
                "Participants",
            ],
            [
                "812 3456 7890",
                "GPS launch",
                zoom_time(at("13:20:00")),
                zoom_time(at("14:35:00")),
                HOST,
                "75",
                str(len(SESSIONS)),
            ],
            [],
        ]
    rows.append(
        [
            "Name (original name)",
            "User email",
            "Join time",
            "Leave time",
            "Duration (minutes)",
            "Guest",
            "Recording disclaimer response",
            "In waiting room",
        ]
    )
    for name, email, join, leave in SESSIONS:
        rows.append(
            [
                name,
                email,
                zoom_time(join),
                zoom_time(leave),
                str(minutes(join, leave)),
                "Yes" if not email else "No",
                "OK",
                "No",
            ]
        )
    return "\ufeff" + _csv(rows)


def zoom_webinar() -> str:
    section_header = [
        "Attended",
        "User Name (Original Name)",
        "First Name",
        "Last Name",
        "Email",
        "Registration Time",
        "Approval Status",
        "Join Time",
        "Leave Time",
        "Time in Session (minutes)",
        "Is Guest",
        "Country/Region Name",
    ]
    rows = [
        ["Attendee Report"],
        ["Report Generated:", "12/06/2026 03:00 PM"],
        [
            "Topic",
            "Webinar ID",
            "Actual Start Time",
            "Actual Duration (minutes)",
            "# Registered",
            "# Cancelled",
            "Unique Viewers",
            "Total Users",
            "Max Concurrent Views",
        ],
        ["GPS launch", "812 3456 7890", zoom_time(at("13:20:00")), "75", "5", "0", "4", "6", "4"],
        [],
        ["Host Details"],
        [
            "Attended",
            "User Name (Original Name)",
            "Email",
            "Join Time",
            "Leave Time",
            "Time in Session (minutes)",
            "Is Guest",
            "Country/Region Name",
        ],
        [
            "Yes",
            "OMEP Events",
            HOST,
            zoom_time(at("13:20:00")),
            zoom_time(at("14:35:00")),
            "75",
            "No",
            "France",
        ],
        [],
        ["Panelist Details"],
        [
            "Attended",
            "User Name (Original Name)",
            "Email",
            "Join Time",
            "Leave Time",
            "Time in Session (minutes)",
            "Is Guest",
            "Country/Region Name",
        ],
        [],
        ["Attendee Details"],
        section_header,
    ]
    for name, email, join, leave in SESSIONS[1:]:
        first, _, last = name.partition(" ")
        rows.append(
            [
                "Yes",
                name,
                first,
                last,
                email,
                "11/20/2026 10:00:00 AM",
                "approved",
                zoom_time(join),
                zoom_time(leave),
                str(minutes(join, leave)),
                "No",
                "Mexico",
            ]
        )
    rows.append(
        [
            "No",
            "Иван Петров",
            "Иван",
            "Петров",
            "ivan@example.ru",
            "11/21/2026 09:00:00 AM",
            "approved",
            "--",
            "--",
            "--",
            "--",
            "",
        ]
    )
    return "\ufeff" + _csv(rows)


def teams_time(moment: datetime) -> str:
    # Teams (en-US): 12/6/26, 1:29:40 PM
    hour = moment.hour % 12 or 12
    suffix = "PM" if moment.hour >= 12 else "AM"
    return f"{moment.month}/{moment.day}/{moment.strftime('%y')}, {hour}:{moment:%M:%S} {suffix}"


def teams_duration(start: datetime, end: datetime) -> str:
    seconds = int((end - start).total_seconds())
    hours, rest = divmod(seconds, 3600)
    mins, secs = divmod(rest, 60)
    parts = ([f"{hours}h"] if hours else []) + ([f"{mins}m"] if mins else []) + [f"{secs}s"]
    return " ".join(parts)


def teams(delimiter: str) -> str:
    people: dict[str, list] = {}
    for name, email, join, leave in SESSIONS:
        address = email.lower()  # a guest without an account has none
        people.setdefault(address or name, [name, address, join, leave, timedelta()])
        person = people[address or name]
        person[2], person[3] = min(person[2], join), max(person[3], leave)
        person[4] += leave - join
    rows = [
        ["1. Summary"],
        ["Meeting title", "GPS launch"],
        ["Attended participants", str(len(people))],
        ["Start time", teams_time(at("13:20:00"))],
        ["End time", teams_time(at("14:35:00"))],
        ["Meeting duration", teams_duration(at("13:20:00"), at("14:35:00"))],
        ["Average attendance time", "45m 12s"],
        [],
        ["2. Participants"],
        [
            "Name",
            "First Join",
            "Last Leave",
            "In-Meeting Duration",
            "Email",
            "Participant ID (UPN)",
            "Role",
        ],
    ]
    for name, address, first, last, total in people.values():
        role = "Organizer" if address == HOST else "Attendee"
        rows.append(
            [
                name,
                teams_time(first),
                teams_time(last),
                teams_duration(DAY, DAY + total),
                address,
                address,
                role,
            ]
        )
    rows += [
        [],
        ["3. In-Meeting Activities"],
        ["Name", "Join Time", "Leave Time", "Duration", "Email", "Role"],
    ]
    for name, email, join, leave in SESSIONS:
        address = email.lower()
        role = "Organizer" if address == HOST else "Attendee"
        rows.append(
            [name, teams_time(join), teams_time(leave), teams_duration(join, leave), address, role]
        )
    return _csv(rows, delimiter=delimiter)


def bbb_time(moment: datetime) -> str:
    return f"{moment.month}/{moment.day}/{moment.year}, {moment:%I:%M:%S} {moment:%p}"


def _gaps(sessions) -> int:
    gaps, end = 0, sessions[0][1]
    for start, leave in sessions[1:]:
        if start > end:
            gaps += int((start - end).total_seconds())
        end = max(end, leave)
    return gaps


def bbb() -> str:
    rows = [
        [
            "Name",
            "Moderator",
            "Activity Score",
            "Talk Time",
            "Webcam Time",
            "Messages",
            "Reactions",
            "Poll Votes",
            "Raise Hands",
            "Join",
            "Left",
            "Duration",
        ]
    ]
    merged: dict[str, list] = {}
    for name, _email, join, leave in SESSIONS:
        plain = name.split(" (")[-1].rstrip(")") if "(" in name else name
        merged.setdefault(plain, []).append((join, leave))
    for name, sessions in merged.items():
        # One line per person: first join, last leave, and the time online (one browser's
        # reconnections do not overlap, so the union of the sessions).
        join, leave = min(s[0] for s in sessions), max(s[1] for s in sessions)
        seconds = int((leave - join).total_seconds()) - _gaps(sorted(sessions))
        hours, rest = divmod(seconds, 3600)
        duration = f"{hours:02}:{rest // 60:02}:{rest % 60:02}"
        moderator = "TRUE" if name == "OMEP Events" else "FALSE"
        rows.append(
            [
                name,
                moderator,
                "2",
                "-",
                "-",
                "0",
                "0",
                "0",
                "0",
                bbb_time(join),
                bbb_time(leave),
                duration,
            ]
        )
    return _csv(rows, quoting=csv.QUOTE_ALL)


def generic() -> str:
    rows = [["email", "name", "minutes", "join", "leave"]]
    for name, email, join, leave in SESSIONS:
        offset = "+01:00"
        rows.append(
            [
                email,
                name,
                str(minutes(join, leave)),
                join.isoformat() + offset,
                leave.isoformat() + offset,
            ]
        )
    return _csv(rows)


def write_all(folder: Path = HERE) -> dict[str, Path]:
    files = {
        "zoom_meeting.csv": zoom_meeting(header_block=False).encode("utf-8"),
        "zoom_meeting_with_header.csv": zoom_meeting(header_block=True).encode("utf-8"),
        "zoom_webinar.csv": zoom_webinar().encode("utf-8"),
        "teams_attendance.csv": teams("\t").encode("utf-16"),  # BOM + UTF-16LE, tabs
        "teams_attendance_comma.csv": ("\ufeff" + teams(",")).encode("utf-8"),
        "bbb_learning_dashboard.csv": bbb().encode("utf-8"),
        "generic.csv": generic().encode("utf-8"),
    }
    written = {}
    for name, content in files.items():
        (folder / name).write_bytes(content)
        written[name] = folder / name
    return written


if __name__ == "__main__":
    for path in write_all().values():
        print(path)
