"""The ``send-mail`` worker: drain the outbox once, or poll it until told to stop."""

import contextlib
import signal
import sys
import threading

import click
from flask import current_app

from eventsvc.mail import transport
from eventsvc.mail.dispatcher import DispatchReport, default_worker_id, dispatch_due, due_count
from eventsvc.mail.logs import masked_logger
from eventsvc.mail.polling import poll
from eventsvc.unit_of_work import abandon

log = masked_logger("eventsvc.mail.worker")


def run(*, once: bool, batch_size: int, interval: float) -> DispatchReport:
    """Send what is due; with ``once`` return when nothing is left, else poll every ``interval``.

    SIGTERM or SIGINT ends the worker after the message in flight: the rest of its batch is
    released at once, so no claim is left to expire. A message still waiting for the server's
    answer ``MAIL_STOP_GRACE`` seconds later is given up as an unknown outcome (retried with
    the same Message-ID), so the worker exits within 10 s. A polling worker outlives a failed
    poll (the database restarting, say) and tries again.
    """
    stop = threading.Event()
    worker_id = default_worker_id()
    total = DispatchReport()
    grace = float(current_app.config["MAIL_STOP_GRACE"])
    with _stop_on_signals(stop, grace), _prompt_thread_switches():
        # From here on SIGTERM stops the worker cleanly: what a supervisor (or a test) waits for.
        log.info("send-mail: started%s.", "" if once else f", polling every {interval:g} s")
        if once:
            total.add(drain(worker_id, batch_size, stop))
        else:
            poll(
                lambda: total.add(drain(worker_id, batch_size, stop)),
                stop=stop,
                interval=interval,
                log=log,
                after_failure=abandon,
            )
    log.info(
        "send-mail: %d sent, %d retried, %d failed in %d batches.",
        total.sent,
        total.retried,
        total.failed,
        total.batches,
    )
    return total


def drain(worker_id: str, batch_size: int, stop: threading.Event) -> DispatchReport:
    """One pass over the due messages: a progress bar in a terminal on a large queue, else logs."""
    due = due_count()
    if due > batch_size and in_terminal():
        with click.progressbar(length=due, label="Sending mail") as bar:
            return dispatch_due(
                worker_id=worker_id,
                batch_size=batch_size,
                stop=stop,
                on_batch=lambda report: bar.update(report.handled),
            )
    return dispatch_due(
        worker_id=worker_id, batch_size=batch_size, stop=stop, on_batch=_batch_logger(due)
    )


def _batch_logger(due: int):
    """One line per batch, with what is left of the ``due`` messages this pass started with:
    counting the queue again after each batch would scan every row due."""
    handled = 0

    def log_batch(report: DispatchReport) -> None:
        nonlocal handled
        handled += report.handled
        extra = f", {report.cancelled} cancelled" if report.cancelled else ""
        log.info(
            "batch: %d sent, %d retried, %d failed%s, %d left",
            report.sent,
            report.retried,
            report.failed,
            extra,
            max(due - handled, 0),
        )

    return log_batch


#: How long a running thread keeps the GIL while another waits for it (Python's default: 5 ms).
#: The worker's sending thread waits for it at every answer of the mail server while the
#: builder runs; an answer on a local network takes a fraction of a millisecond.
SWITCH_INTERVAL = 0.0002


@contextlib.contextmanager
def _prompt_thread_switches():
    """Let the sending thread take the GIL back soon after each answer (measured in
    ``bench/README.md``, benchmark 3: 217 → 235 messages a second); restored afterwards."""
    previous = sys.getswitchinterval()
    sys.setswitchinterval(SWITCH_INTERVAL)
    try:
        yield
    finally:
        sys.setswitchinterval(previous)


def in_terminal() -> bool:
    return sys.stdout.isatty()


@contextlib.contextmanager
def _stop_on_signals(stop: threading.Event, grace: float):
    """Turn the first SIGTERM/SIGINT into ``stop`` (and cut the connection ``grace`` seconds
    later if the worker is still sending); a second one acts as usual."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    previous = {sig: signal.getsignal(sig) for sig in (signal.SIGTERM, signal.SIGINT)}

    def handle(signum, frame):
        log.info("send-mail: stopping after the message in flight.")
        stop.set()
        watchdog = threading.Timer(grace, transport.abort_sessions)
        watchdog.daemon = True
        watchdog.start()
        for sig, handler in previous.items():
            signal.signal(sig, handler)

    for sig in previous:
        signal.signal(sig, handle)
    try:
        yield
    finally:
        for sig, handler in previous.items():
            signal.signal(sig, handler)
