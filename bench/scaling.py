"""9. What is stored does not slow what comes next (issue 20).

- **Registration with many stored**: the same burst as benchmark 1 (16 clients posting the
  form, PostgreSQL, gunicorn with 2 workers), once on an event with no registration and once on
  one with 100,000 already stored, each with its sent confirmation in the outbox (10,000 in
  ``--quick``); target: at least 0.9 of the rate with none.
- **Mail worker's memory**: ``flask send-mail --once`` sending 10,000 and then 100,000 due
  reminders (1,000 and 10,000 in ``--quick``) to the counting SMTP server, on SQLite; its peak
  resident memory (its own ``VmHWM``, sampled while it runs); target: within 20 %.
"""

import subprocess
import time
from datetime import timedelta
from pathlib import Path

from bench import fixtures
from bench.common import (
    PROJECT_ROOT,
    PYTHON,
    Row,
    Settings,
    eventsvc_environment,
    log,
    median,
    scratch_dir,
)
from bench.in_process import eventsvc_app, sqlite_uri
from bench.mail_fanout import smtp_counter
from bench.sites import serve, timed_wrk, visitor_sessions

#: 100,000 messages by one worker take 10–12 minutes on a slow day of two cores.
MAIL_WORKER_TIMEOUT = 1800  # seconds
NAME = "scaling"
TITLE = "9. Scale of what is stored"
MIN_STORED_RATIO = 0.9
MAX_MEMORY_RATIO = 1.2


def stored_sizes(settings: Settings) -> int:
    return 10_000 if settings.quick else 100_000


def mail_sizes(settings: Settings) -> tuple[int, int]:
    return (1_000, 10_000) if settings.quick else (10_000, 100_000)


def run(settings: Settings) -> tuple[list[Row], dict]:
    raw = {"registration": _registration(settings), "mail": _mail_memory(settings)}
    return _rows(settings, raw), raw


# -- registration throughput with many registrations stored ----------------------------------


def _registration(settings: Settings) -> dict:
    """Both events served at once, their rounds taken in turns (none, many, many, none, …) so
    that a slow minute of a shared machine falls on both, as in the other HTTP benchmarks."""
    stored = stored_sizes(settings)
    raw = {0: [], stored: []}
    # Stored as a real event stores them: each with its confirmation sent, in the outbox.
    with (
        serve("postgresql", registrations=0, sent_mail=True) as empty,
        serve("postgresql", registrations=stored, sent_mail=True) as full,
    ):
        if empty is None or full is None:
            return {}
        sites = {0: empty, stored: full}
        targets = {}
        for registrations, site in sites.items():
            page = f"{site.eventsvc_url}/fr/events/{site.slug}"
            sessions = visitor_sessions(page, settings.clients, site.folder / "sessions.tsv")
            targets[registrations] = (f"{page}/register", sessions)
            # Not counted: the workers' first POSTs (imports, templates, connections).
            timed_wrk(
                f"{page}/register", 2, settings.clients, "register.lua", ("warm", str(sessions))
            )
        for round_number in range(settings.http_rounds):
            order = (0, stored) if round_number % 2 == 0 else (stored, 0)
            for registrations in order:
                register, sessions = targets[registrations]
                result = timed_wrk(
                    register,
                    max(settings.http_seconds, 5),
                    settings.clients,
                    "register.lua",
                    (f"s{registrations}r{round_number}", str(sessions)),
                    server=sites[registrations].servers["eventsvc"],
                )
                raw[registrations].append(result)
                log(
                    f"{TITLE}: {registrations:,} stored, round {round_number + 1}: "
                    f"{result['rps']:.0f} POST/s, p99 {result['p99_ms']:.1f} ms, "
                    f"4xx {result['status_4xx']} 5xx {result['status_5xx']}"
                )
    return raw


# -- the mail worker's peak memory -------------------------------------------------------------


def _mail_memory(settings: Settings) -> dict:
    raw = {}
    with smtp_counter() as sink:
        for count in mail_sizes(settings):
            with scratch_dir(f"mail-memory-{count}") as name:
                folder = Path(name)
                instance = folder / "instance"
                uri = sqlite_uri(folder / "mail.sqlite3")
                with eventsvc_app(instance, uri):
                    from eventsvc.extensions import db

                    event = fixtures.create_event(starts_in=timedelta(hours=2))
                    fixtures.insert_registrations(event.id, count)
                    due = fixtures.insert_due_reminders(event.id)
                    db.session.remove()
                    env = eventsvc_environment(
                        instance,
                        uri,
                        EVENTSVC_MAIL_SERVER="127.0.0.1",
                        EVENTSVC_MAIL_PORT=str(sink.port),
                    )
                    sink.reset()
                    raw[count] = {**_worker_peak(env), "due": due, "sent": sink.stats()["count"]}
                    log(f"{TITLE}: mail worker, {count:,} due: {raw[count]}")
    return raw


def _worker_peak(env: dict) -> dict:
    """Run one ``send-mail --once`` to the end; its own peak RSS (KiB) and wall time.

    The peak is the worker's ``VmHWM`` (``/proc/<pid>/status``), read every 0.2 s while it runs:
    a high-water mark, so the last reading holds the peak up to then. ``ru_maxrss`` from
    ``wait4`` is not the worker's own: Linux carries the spawning process's resident memory
    over to the child until ``exec``, and this process has just written the due messages (it read
    243.7 MB for 100,000 against 129.7 MB of the worker's own, 2026-11-30).
    """
    started = time.monotonic()
    process = subprocess.Popen(
        [PYTHON, "-m", "flask", "--app", "eventsvc", "send-mail", "--once"],
        cwd=PROJECT_ROOT,
        env=env,
        stdin=subprocess.DEVNULL,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    deadline = started + MAIL_WORKER_TIMEOUT
    peak_kib = 0
    while process.poll() is None:
        peak_kib = max(peak_kib, _high_water_kib(process.pid))
        if time.monotonic() > deadline:
            process.kill()
            raise RuntimeError("send-mail did not finish in time")
        time.sleep(0.2)
    if process.returncode != 0:
        raise RuntimeError(f"send-mail exited with {process.returncode}")
    return {"peak_kib": peak_kib, "wall": time.monotonic() - started}


def _high_water_kib(pid: int) -> int:
    """``VmHWM`` of a running process, in KiB (0 once it has exited)."""
    try:
        with open(f"/proc/{pid}/status") as status:
            for line in status:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1])
    except (FileNotFoundError, ProcessLookupError):
        pass
    return 0


def _rows(settings: Settings, raw: dict) -> list[Row]:
    rows = []
    registration = raw["registration"]
    stored = stored_sizes(settings)
    if registration:
        none = median(r["rps"] for r in registration[0])
        full = median(r["rps"] for r in registration[stored])
        p99 = median(r["p99_ms"] for r in registration[stored])
        errors = sum(
            r["status_4xx"] + r["status_5xx"] for runs in registration.values() for r in runs
        )
        rows.append(
            Row(
                TITLE,
                f"registration, {stored:,} stored vs none (PostgreSQL)",
                "POST/s",
                full,
                none,
                target=f"ratio >= {MIN_STORED_RATIO}",
                passed=full / none >= MIN_STORED_RATIO and errors == 0,
                note=f"p99 with {stored:,} stored {p99:.0f} ms; {errors} 4xx/5xx",
            )
        )
    else:
        rows.append(
            Row(TITLE, "registration, stored vs none", "POST/s", None, note="no PostgreSQL")
        )
    small, large = mail_sizes(settings)
    mail = raw["mail"]
    delivered = all(mail[n]["sent"] == mail[n]["due"] == n for n in (small, large))
    rows.append(
        Row(
            TITLE,
            f"mail worker peak memory, {large:,} vs {small:,} due",
            "MiB",
            mail[large]["peak_kib"] / 1024,
            mail[small]["peak_kib"] / 1024,
            target=f"ratio <= {MAX_MEMORY_RATIO}",
            passed=mail[large]["peak_kib"] / mail[small]["peak_kib"] <= MAX_MEMORY_RATIO
            and delivered,
            note=(
                f"send-mail --once, SQLite; {large:,} sent in {mail[large]['wall']:.0f} s; "
                f"every due message delivered: {'yes' if delivered else 'NO'}"
            ),
        )
    )
    return rows
