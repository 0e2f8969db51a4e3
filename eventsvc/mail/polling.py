"""The one poll loop of the outbox, for the ``send-mail`` worker and ``make run``'s thread."""

import logging
import threading
from collections.abc import Callable


def poll(
    step: Callable[[], object],
    *,
    stop: threading.Event,
    interval: float,
    log: logging.Logger | logging.LoggerAdapter,
    after_failure: Callable[[], object] | None = None,
) -> None:
    """Run ``step`` every ``interval`` seconds until ``stop`` is set.

    A failed step (the database restarting, say) is logged, ``after_failure`` runs (to put the
    session back in a usable state), and the loop tries again at the next interval.
    """
    while not stop.is_set():
        try:
            step()
        except Exception:
            log.exception("This poll of the outbox failed; trying again in %s s.", interval)
            if after_failure is not None:
                after_failure()
        stop.wait(interval)
