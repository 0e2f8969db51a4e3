"""The one place that ends a transaction.

Services change the session and flush; they never commit or roll back. Whoever owns the
request (a view, a CLI command, the mail worker, a test) wraps the service calls in
:func:`unit_of_work`, which commits when the block ends normally and rolls back when it raises,
so that a refused request (a :class:`~eventsvc.services.DomainError`) leaves nothing behind.

A view that shows a refusal on its form catches the error *outside* the block, after the
rollback::

    try:
        with unit_of_work():
            result = service(...)
    except DomainError as error:
        ...  # render the form with the error

Work that must follow only a commit (deleting files, counting towards a rate limit) is queued
by the service with :func:`after_commit` and run by the unit of work once the commit succeeded;
a rollback drops it. The event lock taken by :func:`eventsvc.services.locking.lock_event` ends
with the transaction (see ``locking.init_app``, attached to the app's session in ``create_app``).
"""

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from functools import wraps

from eventsvc.extensions import db

_AFTER_COMMIT = "eventsvc.after_commit"


@contextmanager
def unit_of_work() -> Iterator[None]:
    """Commit the session when the block succeeds, roll it back when it raises."""
    try:
        yield
        db.session.commit()
    except BaseException:
        db.session.info.pop(_AFTER_COMMIT, None)
        db.session.rollback()
        raise
    for callback in db.session.info.pop(_AFTER_COMMIT, ()):
        callback()


def transactional(function: Callable) -> Callable:
    """Run ``function`` as one unit of work (for views and CLI commands)."""

    @wraps(function)
    def wrapper(*args, **kwargs):
        with unit_of_work():
            return function(*args, **kwargs)

    return wrapper


def abandon() -> None:
    """Roll back what a failed step left open outside any unit of work (a read that raised):
    the error page, a failed health probe and the mail worker's failed poll start clean."""
    db.session.info.pop(_AFTER_COMMIT, None)
    db.session.rollback()


def after_commit(callback: Callable[[], object]) -> None:
    """Run ``callback`` once the current unit of work has committed (never after a rollback)."""
    db.session.info.setdefault(_AFTER_COMMIT, []).append(callback)
