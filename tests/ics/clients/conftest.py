"""Real calendar clients' parsers read what eventsvc sends: libical (Evolution, many servers),
ical.js (Thunderbird), vobject (Radicale and other Python servers) and icalendar.

libical runs under Debian's ``/usr/bin/python3`` (``python3-gi``, ``gir1.2-ical-3.0``) and
ical.js under node (``npm ci``), each as a subprocess reading JSON (``libical_read.py``,
``icaljs_read.mjs``). Without one of them the tests that need it are skipped and the run says so
at the end; with ``EVENTSVC_REQUIRE_BROWSER=1`` (CI, which installs them) they fail instead.
"""

import json
import os
import shutil
import subprocess
from datetime import UTC, datetime
from pathlib import Path

import pytest

from tests.ics.clients.availability import unavailable

HERE = Path(__file__).resolve().parent
ROOT = HERE.parents[2]
SYSTEM_PYTHON = os.environ.get("EVENTSVC_SYSTEM_PYTHON", "/usr/bin/python3")


class SubprocessReader:
    """A parser in another process: JSON job in (see ``libical_read.py``), JSON answer out."""

    def __init__(self, name: str, command: list[str]):
        self.name = name
        self.command = command

    def run(self, files=(), conversions=()) -> dict:
        job = {"files": [f.decode() for f in files], "conversions": list(conversions)}
        done = subprocess.run(
            self.command, input=json.dumps(job), capture_output=True, text=True, cwd=ROOT
        )
        assert done.returncode == 0, f"{self.name} failed:\n{done.stderr}"
        return json.loads(done.stdout)


class VobjectReader:
    """vobject in this process, as a server would use it: one shared time-zone registry."""

    name = "vobject"

    def run(self, files=(), conversions=()) -> dict:
        import vobject

        answers = {"files": [], "conversions": []}
        for data in files:
            calendar = vobject.readOne(data.decode())
            events = []
            for vevent in calendar.contents.get("vevent", []):
                organizer = vevent.contents.get("organizer", [None])[0]
                events.append(
                    {
                        "uid": vevent.uid.value,
                        "sequence": int(vevent.sequence.value),
                        "status": vevent.status.value,
                        "start": _seconds(vevent.dtstart.value),
                        "end": _seconds(vevent.dtend.value),
                        "summary": vevent.summary.value,
                        "organizer": organizer.value if organizer else None,
                        "organizer_cn": _cn(organizer) if organizer else None,
                        "attendees": [
                            [a.value, _cn(a)] for a in vevent.contents.get("attendee", [])
                        ],
                    }
                )
            method = calendar.contents.get("method", [None])[0]
            answers["files"].append({"method": method.value if method else None, "events": events})
        for job in conversions:
            zone = vobject.readOne(job["ics"]).vtimezone.gettzinfo()
            answers["conversions"].append([_wall(s, zone) for s in job["instants"]])
        return answers


class IcalendarReader:
    """icalendar (the library eventsvc writes with), times read through the file's VTIMEZONE."""

    name = "icalendar"

    def run(self, files=(), conversions=()) -> dict:
        from icalendar import Calendar

        answers = {"files": [], "conversions": []}
        for data in files:
            calendar = Calendar.from_ical(data)
            zones = {tz.tz_name: tz.to_tz(lookup_tzid=False) for tz in calendar.timezones}
            events = []
            for vevent in calendar.events:
                organizer = vevent.get("ORGANIZER")
                attendees = vevent.get("ATTENDEE", [])
                attendees = attendees if isinstance(attendees, list) else [attendees]
                events.append(
                    {
                        "uid": str(vevent["UID"]),
                        "sequence": int(vevent["SEQUENCE"]),
                        "status": str(vevent["STATUS"]),
                        "start": _seconds(_through_vtimezone(vevent["DTSTART"], zones)),
                        "end": _seconds(_through_vtimezone(vevent["DTEND"], zones)),
                        "summary": str(vevent["SUMMARY"]),
                        "organizer": str(organizer) if organizer else None,
                        "organizer_cn": organizer.params.get("CN") if organizer else None,
                        "attendees": [[str(a), a.params.get("CN")] for a in attendees],
                    }
                )
            answers["files"].append({"method": str(calendar.get("METHOD")), "events": events})
        for job in conversions:
            (timezone,) = Calendar.from_ical(job["ics"]).timezones
            zone = timezone.to_tz(lookup_tzid=False)
            answers["conversions"].append([_wall(s, zone) for s in job["instants"]])
        return answers


def _through_vtimezone(prop, zones):
    tzid = prop.params.get("TZID")
    if not tzid:
        return prop.dt
    return prop.dt.replace(tzinfo=None).replace(tzinfo=zones[tzid])


def _cn(prop):
    value = prop.params.get("CN")
    return value[0] if isinstance(value, list) else value


def _seconds(moment: datetime) -> int:
    return int(moment.timestamp())


def _wall(seconds: int, zone) -> str:
    return datetime.fromtimestamp(seconds, UTC).astimezone(zone).strftime("%Y-%m-%dT%H:%M:%S")


def _libical() -> SubprocessReader:
    check = [SYSTEM_PYTHON, "-c", "import gi; gi.require_version('ICalGLib', '3.0')"]
    if not Path(SYSTEM_PYTHON).exists() or subprocess.run(check, capture_output=True).returncode:
        unavailable(f"libical: {SYSTEM_PYTHON} cannot load gi's ICalGLib 3.0")
    return SubprocessReader("libical", [SYSTEM_PYTHON, str(HERE / "libical_read.py")])


def _icaljs() -> SubprocessReader:
    node = shutil.which("node")
    if node is None or not (ROOT / "node_modules" / "ical.js").is_dir():
        unavailable("ical.js: node or node_modules/ical.js (npm ci) missing")
    return SubprocessReader("ical.js", [node, str(HERE / "icaljs_read.mjs")])


def _vobject() -> VobjectReader:
    try:
        import vobject  # noqa: F401
    except ImportError:
        unavailable("vobject: not installed (test extra)")
    return VobjectReader()


READERS = {
    "libical": _libical,
    "ical.js": _icaljs,
    "vobject": _vobject,
    "icalendar": IcalendarReader,
}


@pytest.fixture(params=list(READERS))
def reader(request):
    """Each real parser in turn."""
    return READERS[request.param]()
