"""3. Mail fan-out: 10,000 due reminders sent by ``flask send-mail --once`` to an SMTP server.

Each reminder is built at send time: text and HTML in the registrant's language (English or
French), with their personal invite attached. The baseline sends 10,000 copies of one message
of the same size, built beforehand, with smtplib over one connection. Both send to the same
counting SMTP server (:mod:`bench.smtp_counter`) in its own process; the rate is measured on
the server, from the first message accepted to the last. On PostgreSQL two workers also drain
the same queue side by side. Each run also notes how busy the host's cores were (``/proc/stat``,
process start to exit): two workers share them with PostgreSQL and the SMTP server, so on a host
with no more cores than workers the two-worker figure says how much of the host was left.
"""

import contextlib
import json
import os
import subprocess
import time
from datetime import timedelta
from pathlib import Path

from sqlalchemy import delete, func, select

from bench import fixtures
from bench.common import (
    PROJECT_ROOT,
    PYTHON,
    Row,
    Settings,
    eventsvc_environment,
    free_port,
    log,
    median,
    scratch_dir,
)
from bench.in_process import eventsvc_app, sqlite_uri
from bench.postgres import postgres_database

NAME = "mail_fanout"
TITLE = "3. Mail fan-out"
#: Issue 20's targets: one worker at least 0.6 of smtplib alone; two workers more than 1.8 × one
#: (PostgreSQL). They were 0.5 and "more than one" before it.
MIN_RATIO = 0.6
MIN_TWO_WORKERS = 1.8
WORKER_TIMEOUT = 600


class SMTPCounter:
    """The counting SMTP server, in a process of its own."""

    def __init__(self):
        self.port = free_port()
        self.process = subprocess.Popen(
            [PYTHON, "-m", "bench.smtp_counter", str(self.port)],
            cwd=PROJECT_ROOT,
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            text=True,
        )
        ready = self.process.stdout.readline()
        if not ready.startswith("READY"):
            raise RuntimeError(f"the SMTP counter did not start: {ready!r}")

    def command(self, command: str) -> str:
        self.process.stdin.write(command + "\n")
        self.process.stdin.flush()
        return self.process.stdout.readline()

    def reset(self) -> None:
        self.command("reset")

    def stats(self) -> dict:
        return json.loads(self.command("stats"))

    def stop(self) -> None:
        self.process.stdin.close()
        try:
            self.process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()


@contextlib.contextmanager
def smtp_counter():
    counter = SMTPCounter()
    try:
        yield counter
    finally:
        counter.stop()


def run(settings: Settings) -> tuple[list[Row], dict]:
    rows, raw = [], {}
    with smtp_counter() as sink:
        for backend in ("sqlite", "postgresql"):
            backend_rows, raw[backend] = _run_backend(backend, settings, sink)
            rows += backend_rows
    return rows, raw


@contextlib.contextmanager
def _database(backend: str, folder: Path):
    if backend == "sqlite":
        yield sqlite_uri(folder / "mail.sqlite3"), ""
        return
    with postgres_database() as found:
        yield found


def _run_backend(backend: str, settings: Settings, sink: SMTPCounter) -> tuple[list[Row], dict]:
    label = f"{TITLE} ({backend})"
    count = settings.mail_messages
    with scratch_dir(f"mail-{backend}") as name, _database(backend, Path(name)) as (uri, problem):
        if uri is None:
            log(f"PostgreSQL skipped: {problem}")
            return [Row(label, "msgs/s", "msgs/s", None, note=f"skipped: {problem}")], {}
        folder = Path(name)
        instance = folder / "instance"
        with eventsvc_app(instance, uri) as app:
            event = fixtures.create_event(starts_in=timedelta(hours=2))
            event_id = event.id
            fixtures.insert_registrations(event_id, count)
            sample = _sample_message(app, event_id, folder / "sample.eml")
            size = sample.stat().st_size
            env = eventsvc_environment(
                instance,
                uri,
                EVENTSVC_MAIL_SERVER="127.0.0.1",
                EVENTSVC_MAIL_PORT=str(sink.port),
            )
            runs = {"baseline": [], "eventsvc": [], "eventsvc_2_workers": [], "floor": []}
            senders = ["baseline", "eventsvc"]
            if backend == "postgresql":
                senders.append("eventsvc_2_workers")
            else:  # no database in it: measured once
                senders.append("floor")
            for round_number in range(settings.mail_rounds):
                order = senders if round_number % 2 == 0 else list(reversed(senders))
                for who in order:
                    if who == "baseline":
                        result = _send_baseline(sink, sample, count)
                    elif who == "floor":
                        result = _send_baseline(sink, sample, _floor_count(count), "mail_floor")
                    else:
                        workers = 2 if who == "eventsvc_2_workers" else 1
                        result = _send_eventsvc(sink, env, event_id, count, workers)
                    runs[who].append(result)
                    log(
                        f"mail {backend} round {round_number + 1} {who}: "
                        f"{result['rate']:.0f} msgs/s ({result['count']} sent, "
                        f"{result['wall']:.1f} s wall)"
                    )
            relay = _over_a_slow_relay(sink, env, count) if backend == "sqlite" else {}
    raw = {"runs": runs, "message_bytes": size, "slow_relay": relay}
    return _rows(label, runs, count, size) + _relay_rows(label, relay), raw


def _floor_count(count: int) -> int:
    """The floor sends fewer (its rate is steady after a few hundred, and it is slow)."""
    return max(count // 5, 100)


#: What the relay of :func:`_over_a_slow_relay` takes to accept each message.
RELAY_LATENCY_MS = 20


def _over_a_slow_relay(sink: SMTPCounter, env: dict, count: int) -> dict:
    """One worker sending to a relay that takes ``RELAY_LATENCY_MS`` to accept each message
    (its disk, the network: production's case, not loopback's), over one connection and over
    ``MAIL_CONNECTIONS`` (2, the default): the connections overlap the waits."""
    from eventsvc.extensions import db

    relay_count = max(count // 10, 400)  # batches of 100: several per connection
    event = fixtures.create_event(starts_in=timedelta(hours=2), slug="slow-relay")
    event_id = event.id
    fixtures.insert_registrations(event_id, relay_count)
    db.session.remove()
    sink.command(f"latency {RELAY_LATENCY_MS}")
    try:
        results = {
            connections: _send_eventsvc(
                sink,
                {**env, "EVENTSVC_MAIL_CONNECTIONS": str(connections)},
                event_id,
                relay_count,
                workers=1,
            )
            for connections in (1, 2)
        }
    finally:
        sink.command("latency 0")
    for connections, result in results.items():
        log(
            f"mail over a {RELAY_LATENCY_MS} ms relay, {connections} connection(s): "
            f"{result['rate']:.0f} msgs/s"
        )
    return {"count": relay_count, **{f"connections_{n}": r for n, r in results.items()}}


def _sample_message(app, event_id: int, path: Path) -> Path:
    """One reminder as eventsvc builds it, written to ``path`` for the baseline to send."""
    from eventsvc.extensions import db
    from eventsvc.mail import messages
    from eventsvc.models import OutboxMessage

    fixtures.insert_due_reminders(event_id)
    row = db.session.scalars(
        select(OutboxMessage).where(OutboxMessage.event_id == event_id)
    ).first()
    message = messages.build(row)
    path.write_bytes(message.as_bytes(policy=message.policy.clone(linesep="\r\n")))
    _clear_outbox(event_id)
    return path


def _clear_outbox(event_id: int) -> None:
    from eventsvc.extensions import db
    from eventsvc.models import OutboxMessage

    db.session.execute(delete(OutboxMessage).where(OutboxMessage.event_id == event_id))
    db.session.commit()


def _host_cpu() -> tuple[int, int]:
    """Busy and total clock ticks of every core since boot (``/proc/stat``)."""
    with open("/proc/stat") as stat:
        ticks = [int(value) for value in stat.readline().split()[1:]]
    idle = ticks[3] + ticks[4]  # idle, iowait
    return sum(ticks) - idle, sum(ticks)


def _busy_since(before: tuple[int, int]) -> float:
    """The share of the host's cores busy since ``before`` (1.0: every core, all the time)."""
    busy, total = _host_cpu()
    return (busy - before[0]) / max(total - before[1], 1)


def _send_baseline(
    sink: SMTPCounter, sample: Path, count: int, script: str = "mail_baseline"
) -> dict:
    """``bench/mail_baseline.py`` (or ``bench/mail_floor.py``) sending ``count`` messages."""
    sink.reset()
    started = time.monotonic()
    host = _host_cpu()
    subprocess.run(
        [PYTHON, "-m", f"bench.{script}", str(sink.port), str(sample), str(count)],
        cwd=PROJECT_ROOT,
        check=True,
        timeout=WORKER_TIMEOUT,
    )
    return _result(sink.stats(), time.monotonic() - started, _busy_since(host))


def _send_eventsvc(sink: SMTPCounter, env: dict, event_id: int, count: int, workers: int) -> dict:
    from eventsvc.extensions import db
    from eventsvc.models import MessageStatus, OutboxMessage

    _clear_outbox(event_id)
    fixtures.insert_due_reminders(event_id)
    db.session.remove()
    sink.reset()
    started = time.monotonic()
    host = _host_cpu()
    processes = [
        subprocess.Popen(
            [PYTHON, "-m", "flask", "--app", "eventsvc", "send-mail", "--once"],
            cwd=PROJECT_ROOT,
            env=env,
            stdin=subprocess.DEVNULL,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
        )
        for _ in range(workers)
    ]
    for process in processes:
        output, _ = process.communicate(timeout=WORKER_TIMEOUT)
        if process.returncode != 0:
            raise RuntimeError(f"send-mail failed:\n{output.decode(errors='replace')[-3000:]}")
    wall = time.monotonic() - started
    result = _result(sink.stats(), wall, _busy_since(host))
    result["outbox_sent"] = db.session.scalar(
        select(func.count(OutboxMessage.id)).where(
            OutboxMessage.event_id == event_id, OutboxMessage.status == MessageStatus.SENT
        )
    )
    db.session.remove()
    return result


def _result(stats: dict, wall: float, host_busy: float) -> dict:
    span = (stats["last"] or 0) - (stats["first"] or 0)
    rate = (stats["count"] - 1) / span if stats["count"] > 1 and span > 0 else 0.0
    return {
        **stats,
        "rate": rate,
        "wall": wall,
        "end_to_end_rate": stats["count"] / wall,
        "host_busy": host_busy,
    }


def _busy(runs: list[dict]) -> float:
    return median(run["host_busy"] for run in runs)


def _host_ms(runs: list[dict], rate: float) -> str:
    """Milliseconds of the host's CPU (all cores, every process) per message at ``rate``."""
    return f"{_busy(runs) * os.cpu_count() / rate * 1000:.1f}"


def _rows(label: str, runs: dict, count: int, size: int) -> list[Row]:
    ours = median(r["rate"] for r in runs["eventsvc"])
    base = median(r["rate"] for r in runs["baseline"])
    delivered = all(
        r["count"] == count and r["outbox_sent"] == count
        for r in runs["eventsvc"] + runs["eventsvc_2_workers"]
    )
    rows = [
        Row(
            label,
            "1 worker",
            "msgs/s",
            ours,
            base,
            target=f"ratio >= {MIN_RATIO}",
            passed=ours / base >= MIN_RATIO and delivered,
            note=(
                f"{count} reminders of ~{size // 1024} KiB; end to end (process start to exit) "
                f"{median(r['end_to_end_rate'] for r in runs['eventsvc']):.0f} msgs/s; "
                f"every message delivered once and marked sent: {'yes' if delivered else 'NO'}"
            ),
        )
    ]
    if runs["floor"]:
        floor = median(r["rate"] for r in runs["floor"])
        rows.append(
            Row(
                label,
                "1 worker vs the stack's floor",
                "msgs/s",
                ours,
                floor,
                note=(
                    "baseline column: bench/mail_floor.py, each registrant's message built as "
                    "Flask-Mail and icalendar document it, sent over one connection, no database "
                    f"({_floor_count(count)} messages); the floor against smtplib alone: "
                    f"{floor / base:.2f}"
                ),
            )
        )
    if runs["eventsvc_2_workers"]:
        two = median(r["rate"] for r in runs["eventsvc_2_workers"])
        rows.append(
            Row(
                label,
                "2 workers vs 1",
                "msgs/s",
                two,
                ours,
                target=f"ratio > {MIN_TWO_WORKERS}",
                passed=two / ours > MIN_TWO_WORKERS and delivered,
                note=(
                    f"baseline column: one worker's rate; two workers against smtplib alone: "
                    f"{two / base:.2f}; the host's {os.cpu_count()} cores busy "
                    f"{_busy(runs['eventsvc_2_workers']):.0%} with two workers (workers, "
                    f"PostgreSQL and the SMTP server), {_busy(runs['eventsvc']):.0%} with one; "
                    f"the host's CPU per message: {_host_ms(runs['eventsvc_2_workers'], two)} ms "
                    f"with two, {_host_ms(runs['eventsvc'], ours)} ms with one; "
                    f"{MIN_TWO_WORKERS} × one would leave "
                    f"{os.cpu_count() / (MIN_TWO_WORKERS * ours) * 1000:.1f} ms"
                ),
            )
        )
    return rows


def _relay_rows(label: str, relay: dict) -> list[Row]:
    if not relay:
        return []
    one, two = relay["connections_1"], relay["connections_2"]
    delivered = all(r["count"] == relay["count"] == r["outbox_sent"] for r in (one, two))
    return [
        Row(
            label,
            f"relay taking {RELAY_LATENCY_MS} ms: 2 connections vs 1",
            "msgs/s",
            two["rate"],
            one["rate"],
            note=(
                f"one worker, {relay['count']} reminders, MAIL_CONNECTIONS 2 (the default) "
                f"against 1; every message delivered once and marked sent: "
                f"{'yes' if delivered else 'NO'}"
            ),
        )
    ]
