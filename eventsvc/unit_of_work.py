"""The one place that ends a transaction.

Services change the session and flush; they never commit or roll back. Whoever owns the
request (a view, a CLI command, the mail worker, a test) wraps the service calls in
:func:`unit_of_work`, which commits when the block ends normally and rolls back when it raises,
so that a refused request (a :class:`~eventsvc.services.DomainError`) leaves nothing behind.
"""

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from functools import wraps

from eventsvc.extensions import db


@contextmanager
def unit_of_work() -> Iterator[None]:
    """Commit the session when the block succeeds, roll it back when it raises."""
    try:
        yield
        db.session.commit()
    except BaseException:
        db.session.rollback()
        raise


def transactional(function: Callable) -> Callable:
    """Run ``function`` as one unit of work (for views and CLI commands)."""

    @wraps(function)
    def wrapper(*args, **kwargs):
        with unit_of_work():
            return function(*args, **kwargs)

    return wrapper
