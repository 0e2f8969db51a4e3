"""6. Messages to many: the organiser's "move the event" and "send an announcement" at a small
and a large audience, in process on SQLite (issue 20: within 2×).

Each size gets its own event with that many confirmed registrations; the time of the service
call alone is measured (``update_event`` with a new time and ``notify``, then
``send_announcement``), median of the rounds. Then a mail worker's expansion of one of them to
every registrant (``expand_due``, chunk by chunk) for information: the worker's cost, when due.
"""

import time
from dataclasses import replace
from datetime import timedelta
from pathlib import Path

from bench import fixtures
from bench.common import Row, Settings, log, median, scratch_dir
from bench.in_process import eventsvc_app, sqlite_uri

NAME = "broadcast_cost"
TITLE = "6. Messages to many"
MAX_RATIO = 2.0
TEXTS = {locale: {"subject": "News", "body": "Hello."} for locale in ("en", "fr", "es")}


def sizes(settings: Settings) -> tuple[int, int]:
    return (100, 10_000) if settings.quick else (100, 100_000)


def run(settings: Settings) -> tuple[list[Row], dict]:
    small, large = sizes(settings)
    rounds = 3
    raw: dict = {}
    with (
        scratch_dir("broadcast-cost") as name,
        eventsvc_app(Path(name) / "instance", sqlite_uri(Path(name) / "cost.sqlite3")),
    ):
        for size in (small, large):
            raw[size] = _measure(size, rounds)
            log(f"{TITLE}: {size:,} registrants: {raw[size]}")
    rows = []
    for what in ("move", "announce"):
        cost_small, cost_large = raw[small][what], raw[large][what]
        rows.append(
            Row(
                TITLE,
                f"{what} at {large:,} vs {small:,} registrants",
                "ms",
                cost_large * 1000,
                cost_small * 1000,
                target=f"ratio <= {MAX_RATIO:.0f}",
                passed=cost_large / cost_small <= MAX_RATIO,
            )
        )
    rows.append(
        Row(
            TITLE,
            f"worker expansion, {large:,} deliveries written",
            "s",
            raw[large]["expand"],
            note="the worker's cost when due, not the organiser's",
        )
    )
    return rows, raw


def _measure(size: int, rounds: int) -> dict:
    from eventsvc.extensions import db
    from eventsvc.mail.dispatcher import expand_due
    from eventsvc.models import Event
    from eventsvc.services.announcements import send_announcement
    from eventsvc.services.events import EventData, update_event
    from eventsvc.unit_of_work import unit_of_work

    event = fixtures.create_event(slug=f"cost-{size}", capacity=None)
    event_id = event.id
    fixtures.insert_registrations(event_id, size)
    moves, announces = [], []
    for _ in range(rounds):
        event = db.session.get(Event, event_id)
        data = EventData.from_event(event)
        data = replace(
            data, start=data.start + timedelta(hours=1), end=data.end + timedelta(hours=1)
        )
        started = time.perf_counter()
        with unit_of_work():
            update_event(event, data, notify=True)
        moves.append(time.perf_counter() - started)
        started = time.perf_counter()
        with unit_of_work():
            send_announcement(db.session.get(Event, event_id), TEXTS)
        announces.append(time.perf_counter() - started)
        db.session.remove()
    started = time.perf_counter()
    written = 0
    while written < size and (expansion := expand_due()) is not None:
        written += expansion.written  # the first due broadcast, chunk by chunk
    expand = time.perf_counter() - started
    return {
        "move": median(moves),
        "announce": median(announces),
        "expand": expand,
        "written": written,
    }
