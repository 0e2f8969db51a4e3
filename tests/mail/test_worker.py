"""Real `flask send-mail` processes on a file database and a real SMTP server: killed with
SIGKILL mid-batch, stopped with SIGTERM, and two side by side.

The worker processes run on the real clock, so the events here lie years ahead and the
registrations (made at the frozen test time) are already due for them.
"""

import os
import signal
import subprocess
import sys
import threading
import time
from collections import Counter
from datetime import UTC, datetime

import pytest
from sqlalchemy import func, select

from eventsvc.extensions import db
from eventsvc.models import MessageKind, MessageStatus, OutboxMessage
from tests.mail.sinks import outbox_rows

pytestmark = pytest.mark.slow

PROJECT_ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
WAIT = 60  # seconds: an upper bound for a worker to get somewhere, never an expectation


def start_worker(env, *args) -> subprocess.Popen:
    command = [sys.executable, "-m", "flask", "--app", "eventsvc", "send-mail", *args]
    return subprocess.Popen(
        command, env=env, cwd=PROJECT_ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE
    )


def run_worker(env, *args) -> subprocess.CompletedProcess:
    process = start_worker(env, *args)
    stdout, stderr = process.communicate(timeout=WAIT)
    return subprocess.CompletedProcess(process.args, process.returncode, stdout, stderr)


def wait_for(condition, what: str) -> None:
    deadline = time.monotonic() + WAIT
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError(f"gave up waiting for {what}")
        time.sleep(0.02)


def wait_for_leases_to_expire() -> None:
    db.session.expire_all()
    latest = db.session.scalar(select(func.max(OutboxMessage.claimed_until)))
    if latest is not None:
        time.sleep(max(0.0, (latest - datetime.now(UTC)).total_seconds()) + 0.05)


@pytest.fixture
def queue(make_event, make_registration):
    """Registrations whose confirmations are due; returns a function making ``n`` of them."""

    def fill(n: int):
        event = make_event(start="2031-03-06T13:30", end="2031-03-06T14:30")
        return [make_registration(event) for _ in range(n)]

    return fill


def confirmations():
    return outbox_rows(MessageKind.CONFIRMATION)


def test_worker_killed_mid_batch_loses_nothing_and_duplicates_at_most_one_group_a_connection(
    smtp, worker_env, queue
):
    queue(20)
    smtp.delay = 0.15
    env = {**worker_env, "EVENTSVC_MAIL_OUTCOME_GROUP": "2", "EVENTSVC_MAIL_CONNECTIONS": "2"}
    worker = start_worker(env, "--batch-size", "5", "--interval", "60")
    wait_for(lambda: len(smtp.messages) >= 7, "the second batch to be under way")
    os.kill(worker.pid, signal.SIGKILL)
    worker.wait(timeout=WAIT)
    assert worker.returncode == -signal.SIGKILL
    held = [row for row in confirmations() if row.status == MessageStatus.PENDING]
    assert any(row.claimed_until is not None for row in held), "the dead worker's claim remains"

    smtp.delay = 0
    wait_for_leases_to_expire()
    again = run_worker(worker_env, "--once", "--batch-size", "5")

    assert again.returncode == 0, again.stderr.decode()
    rows = confirmations()
    assert all(row.status == MessageStatus.SENT for row in rows)
    received = Counter(smtp.message_ids())
    assert set(received) == {row.message_id for row in rows}
    duplicates = sum(received.values()) - len(received)
    assert duplicates <= 2 * 2, "at most the messages since each connection's last outcome write"


def test_two_workers_side_by_side_send_every_message_once(smtp, worker_env, queue):
    queue(30)
    smtp.delay = 0.05

    workers = [start_worker(worker_env, "--once", "--batch-size", "3") for _ in range(2)]
    outputs = [worker.communicate(timeout=WAIT) for worker in workers]

    assert [worker.returncode for worker in workers] == [0, 0], outputs
    rows = confirmations()
    assert all(row.status == MessageStatus.SENT for row in rows)
    received = Counter(smtp.message_ids())
    assert set(received) == {row.message_id for row in rows}
    assert set(received.values()) == {1}


def test_sigterm_stops_the_worker_after_its_batch_without_leaving_claims(smtp, worker_env, queue):
    queue(12)
    smtp.delay = 0.1
    worker = start_worker(worker_env, "--batch-size", "3", "--interval", "0.2")
    wait_for(lambda: len(smtp.messages) >= 1, "the first message")

    worker.send_signal(signal.SIGTERM)
    _, stderr = worker.communicate(timeout=WAIT)

    assert worker.returncode == 0, stderr.decode()
    rows = confirmations()
    sent = [row for row in rows if row.status == MessageStatus.SENT]
    assert len(sent) == len(smtp.messages) < len(rows)
    assert all(row.claimed_until is None for row in rows)
    assert b"stopping after the message in flight" in stderr


def test_send_mail_once_process_logs_each_batch(smtp, worker_env, queue):
    queue(4)

    finished = run_worker(worker_env, "--once", "--batch-size", "3")

    assert finished.returncode == 0
    log = finished.stderr.decode()
    assert "batch: 3 sent, 0 retried, 0 failed, 1 left" in log
    assert "batch: 1 sent, 0 retried, 0 failed, 0 left" in log


def test_two_workers_with_a_server_slower_than_the_lease_send_every_message_once(
    smtp, worker_env, queue
):
    """A batch takes 2 s, the lease is 1 s: the lease is renewed while the batch is in flight."""
    queue(16)
    smtp.delay = 0.25

    workers = [start_worker(worker_env, "--once", "--batch-size", "8") for _ in range(2)]
    outputs = [worker.communicate(timeout=WAIT) for worker in workers]

    assert [worker.returncode for worker in workers] == [0, 0], outputs
    rows = confirmations()
    assert all(row.status == MessageStatus.SENT for row in rows)
    received = Counter(smtp.message_ids())
    assert set(received) == {row.message_id for row in rows}
    assert set(received.values()) == {1}


def test_sigterm_with_a_server_slow_to_answer_exits_within_ten_seconds_releasing_the_rest(
    smtp, worker_env, queue
):
    queue(6)
    smtp.delay = 60  # the answer after the body takes a minute
    worker = start_worker(worker_env, "--batch-size", "6", "--interval", "60")
    wait_for(lambda: smtp.data_commands >= 1, "the first message's body")

    started = time.monotonic()
    worker.send_signal(signal.SIGTERM)
    _, stderr = worker.communicate(timeout=WAIT)
    elapsed = time.monotonic() - started

    assert worker.returncode == 0, stderr.decode()
    assert elapsed < 10
    rows = confirmations()
    assert all(row.claimed_until is None and row.status == MessageStatus.PENDING for row in rows)
    in_flight, *rest = rows
    assert in_flight.attempts == 1 and "may have arrived" in in_flight.last_error
    assert [(row.attempts, row.last_error) for row in rest] == [(0, "")] * 5


def test_stopping_flask_run_mid_batch_releases_the_dispatcher_threads_claims(
    smtp, worker_env, queue
):
    """Laptop mode: `flask run` sends by itself (no setting), and Ctrl-C leaves no claim."""
    from tests.smtp_sink import free_port

    queue(10)
    smtp.delay = 0.3
    env = {**worker_env, "EVENTSVC_MAIL_LEASE_SECONDS": "300", "EVENTSVC_MAIL_OUTCOME_GROUP": "1"}
    env.pop("EVENTSVC_MAIL_DISPATCHER_THREAD", None)
    command = [
        sys.executable,
        "-m",
        "flask",
        "--app",
        "eventsvc",
        "run",
        "--port",
        str(free_port()),
    ]
    server = subprocess.Popen(
        command, env=env, cwd=PROJECT_ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE
    )
    wait_for(lambda: len(smtp.messages) >= 2, "the thread to send under flask run")

    server.send_signal(signal.SIGINT)
    _, stderr = server.communicate(timeout=WAIT)

    rows = confirmations()
    assert any(row.status == MessageStatus.PENDING for row in rows), stderr.decode()
    assert all(row.claimed_until is None for row in rows), "claims given back at exit"
    assert len([row for row in rows if row.status == MessageStatus.SENT]) == len(
        set(smtp.message_ids())
    )


def test_a_second_worker_never_takes_a_batch_whose_answers_are_slower_than_the_lease(
    smtp, worker_env, queue
):
    """The first answer waits until the second worker is polling, each then takes 1.5 s against
    a 1 s lease: the first worker renews its lease all along, the second never takes its batch.

    The second worker's readiness is its own word (its "started" line, once SIGTERM stops it
    cleanly), not a time: on a loaded host it was once stopped before it had started.
    """
    queue(4)
    smtp.delay = 1.5
    smtp.gate = threading.Event()
    env = {**worker_env, "EVENTSVC_MAIL_TIMEOUT": "5"}
    first = start_worker(env, "--once", "--batch-size", "4")
    wait_for(lambda: smtp.data_commands >= 1, "the first worker's first message")
    second = start_worker(env, "--batch-size", "4", "--interval", "0.2")
    second_log = Lines(second.stderr)
    wait_for(lambda: second_log.saw("send-mail: started, polling"), "the second worker to poll")
    smtp.gate.set()

    first_output = first.communicate(timeout=WAIT)
    second.send_signal(signal.SIGTERM)
    second.wait(timeout=WAIT)

    assert (first.returncode, second.returncode) == (0, 0), (first_output, second_log.text())
    assert "0 sent, 0 retried, 0 failed in 0 batches" in second_log.text()
    rows = confirmations()
    assert all(row.status == MessageStatus.SENT for row in rows)
    received = Counter(smtp.message_ids())
    assert set(received) == {row.message_id for row in rows}
    assert set(received.values()) == {1}


class Lines:
    """The lines a worker writes to ``stream``, read as they come by a thread of their own."""

    def __init__(self, stream):
        self._lines: list[str] = []
        self._reader = threading.Thread(target=self._read, args=(stream,), daemon=True)
        self._reader.start()

    def _read(self, stream) -> None:
        for line in stream:
            self._lines.append(line.decode(errors="replace"))

    def saw(self, text: str) -> bool:
        return any(text in line for line in list(self._lines))

    def text(self) -> str:
        self._reader.join(timeout=WAIT)
        return "".join(self._lines)
