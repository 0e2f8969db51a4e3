"""6. Attendance report import: Zoom's participants report of 5,000 attendees, seconds.

eventsvc (``services.attendance.import_report``: decoding, format detection, the csv module,
dates, matching by normalised address, rows stored, minutes recomputed as interval unions,
committed) against a plain baseline: the csv module reading the same bytes and summing each
address's minutes in a dict. Taking turns, the median of the rounds; eventsvc's rows are
deleted between rounds so that each round imports afresh (the same file is otherwise a no-op).
"""

import csv
import io
import time
from datetime import timedelta
from pathlib import Path

from bench import fixtures
from bench.common import Row, Settings, log, median, scratch_dir
from bench.in_process import eventsvc_app, sqlite_uri

NAME = "attendance"
TITLE = "6. Attendance import"
ATTENDEES = 5_000
#: One attendee in ten rejoins once (an overlapping second device): 5,500 rows.
REJOIN_EVERY = 10
MAX_RATIO = 40.0


def run(settings: Settings) -> tuple[list[Row], dict]:
    rounds = 1 if settings.quick else 3
    with scratch_dir("attendance") as name:
        folder = Path(name)
        with eventsvc_app(folder / "instance", sqlite_uri(folder / "a.sqlite3")) as _app:
            from eventsvc.extensions import db
            from eventsvc.models import Registration

            event = fixtures.create_event(slug="attendance-bench")
            fixtures.insert_registrations(event.id, ATTENDEES)
            emails = db.session.scalars(
                db.select(Registration.email).where(Registration.event_id == event.id)
            ).all()
            content = zoom_report(emails, event.starts_at)
            times = {"eventsvc": [], "baseline": []}
            for number in range(rounds):
                order = ("baseline", "eventsvc") if number % 2 == 0 else ("eventsvc", "baseline")
                for side in order:
                    if side == "eventsvc":
                        times[side].append(_eventsvc(event, content))
                    else:
                        times[side].append(_baseline(content))
            for side, values in times.items():
                log(f"attendance import {side}: {median(values):.3f} s")
    ours, base = median(times["eventsvc"]), median(times["baseline"])
    row = Row(
        TITLE,
        f"Zoom report, {ATTENDEES:,} attendees ({len(content) // 1024} KiB)",
        "s",
        ours,
        base,
        target=f"ratio ≤ {MAX_RATIO:g}",
        passed=ours / base <= MAX_RATIO,
        note="eventsvc: parse, match, store, recompute, commit; baseline: csv module + dict sum",
    )
    return [row], {"rounds": times, "bytes": len(content)}


def zoom_report(emails, start) -> bytes:
    """Zoom's participants report (UTF-8 with BOM), wall times in Europe/Paris."""
    from eventsvc import clock

    wall = clock.to_wall(start, "Europe/Paris").replace(tzinfo=None)
    out = io.StringIO(newline="")
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(
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
    for n, email in enumerate(emails):
        join = wall + timedelta(seconds=(n * 7) % 900)
        leave = join + timedelta(minutes=30 + n % 50)
        sessions = [(join, leave)]
        if n % REJOIN_EVERY == 0:
            sessions.append((join + timedelta(minutes=10), leave + timedelta(minutes=5)))
        for begin, end in sessions:
            writer.writerow(
                [
                    f"Participant {n}",
                    email,
                    begin.strftime("%m/%d/%Y %I:%M:%S %p"),
                    end.strftime("%m/%d/%Y %I:%M:%S %p"),
                    str(int((end - begin).total_seconds() // 60)),
                    "No",
                    "OK",
                    "No",
                ]
            )
    return ("\ufeff" + out.getvalue()).encode("utf-8")


def _eventsvc(event, content: bytes) -> float:
    from eventsvc.extensions import db
    from eventsvc.models import Attendance, AttendanceReport
    from eventsvc.services import attendance
    from eventsvc.unit_of_work import unit_of_work

    started = time.perf_counter()
    with unit_of_work():
        result = attendance.import_report(event, content, timezone="Europe/Paris")
    elapsed = time.perf_counter() - started
    assert len(result.matched) > ATTENDEES and not result.unmatched, "the report did not match"
    with unit_of_work():  # the next round imports afresh
        db.session.execute(db.delete(Attendance).where(Attendance.event_id == event.id))
        db.session.execute(db.delete(AttendanceReport).where(AttendanceReport.event_id == event.id))
    return elapsed


def _baseline(content: bytes) -> float:
    started = time.perf_counter()
    minutes: dict[str, int] = {}
    rows = csv.reader(io.StringIO(content.decode("utf-8-sig"), newline=""))
    next(rows)
    for row in rows:
        minutes[row[1].casefold()] = minutes.get(row[1].casefold(), 0) + int(row[4])
    elapsed = time.perf_counter() - started
    assert len(minutes) == ATTENDEES
    return elapsed
