"""A CalDAV server (Radicale, from PyPI) keeps invites of several years in one calendar and
answers time-range queries (free/busy, sync windows) at the right instants.

Servers keep the first VTIMEZONE they see for a TZID; one that covered only its event's years
put later events an hour out. Every invite now carries one valid for every year.
"""

import socket
import subprocess
import sys
import time
from datetime import UTC, datetime, timedelta
from xml.etree import ElementTree

import pytest
import requests

from eventsvc import ics
from tests.ics.clients.availability import unavailable

pytestmark = pytest.mark.slow

CALENDAR = "/alice/events/"
AUTH = ("alice", "any")
QUERY = """<?xml version="1.0" encoding="utf-8"?>
<C:calendar-query xmlns:D="DAV:" xmlns:C="urn:ietf:params:xml:ns:caldav">
  <D:prop><D:getetag/></D:prop>
  <C:filter><C:comp-filter name="VCALENDAR"><C:comp-filter name="VEVENT">
    <C:time-range start="{start}" end="{end}"/>
  </C:comp-filter></C:comp-filter></C:filter>
</C:calendar-query>"""


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.fixture
def radicale(tmp_path):
    try:
        import radicale  # noqa: F401
    except ImportError:
        unavailable("Radicale: not installed (test extra)")
    port = free_port()
    server = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "radicale",
            "--server-hosts",
            f"127.0.0.1:{port}",
            "--auth-type",
            "none",
            "--storage-filesystem-folder",
            str(tmp_path / "collections"),
            "--logging-level",
            "warning",
        ],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    base = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 20
    while True:
        try:
            requests.get(base, timeout=1)
            break
        except requests.ConnectionError:
            if time.monotonic() > deadline or server.poll() is not None:
                server.kill()
                pytest.fail(f"Radicale did not start: {server.stderr.read().decode()}")
            time.sleep(0.1)
    session = requests.Session()
    session.auth = AUTH
    created = session.request("MKCALENDAR", base + CALENDAR)
    assert created.status_code == 201, created.text
    yield base, session
    server.terminate()
    server.wait(timeout=10)


def as_caldav_object(invite: bytes) -> bytes:
    """A calendar object resource carries no METHOD (RFC 4791 §4.1)."""
    return b"".join(line for line in invite.splitlines(True) if not line.startswith(b"METHOD:"))


def stamp(moment: datetime) -> str:
    return moment.astimezone(UTC).strftime("%Y%m%dT%H%M%SZ")


def found(base, session, start: datetime, end: datetime) -> set[str]:
    answer = session.request(
        "REPORT",
        base + CALENDAR,
        data=QUERY.format(start=stamp(start), end=stamp(end)),
        headers={"Depth": "1", "Content-Type": "application/xml"},
    )
    assert answer.status_code == 207, answer.text
    hrefs = ElementTree.fromstring(answer.content).iter("{DAV:}href")
    return {href.text.rsplit("/", 1)[-1] for href in hrefs}


def test_invites_of_many_years_in_one_calendar_answer_time_ranges_right(
    radicale, make_event, make_registration
):
    base, session = radicale
    events = {}
    for zone in ("Europe/Paris", "America/New_York", "Australia/Lord_Howe", "America/Santiago"):
        for year in range(2027, 2036, 2):
            for day in ("01-15", "07-15"):
                event = make_event(
                    timezone=zone, start=f"{year}-{day}T09:00", end=f"{year}-{day}T10:00"
                )
                name = f"{event.id}.ics"
                stored = session.put(
                    f"{base}{CALENDAR}{name}",
                    data=as_caldav_object(ics.invite(make_registration(event))),
                    headers={"Content-Type": "text/calendar; charset=utf-8"},
                )
                assert stored.status_code == 201, stored.text
                events[name] = event

    wrong = []
    for name, event in events.items():
        start, end = event.starts_at, event.ends_at
        hour = timedelta(hours=1)
        if name not in found(base, session, start, end):
            wrong.append((name, event.timezone, "missing in its own hour"))
        if name in found(base, session, start - hour, start):
            wrong.append((name, event.timezone, "found in the hour before"))
        if name in found(base, session, end, end + hour):
            wrong.append((name, event.timezone, "found in the hour after"))
    assert wrong == []
