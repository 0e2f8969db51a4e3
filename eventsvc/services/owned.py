"""Rows an organiser owns (API tokens, webhook endpoints): the list of theirs, and one of them by
its id. Another organiser's row is answered as absent, never as forbidden, so an id tells nothing
about whose it is. One place for the rule, for every kind of row that has an ``organiser_id``."""

from typing import TypeVar

from sqlalchemy import select

from eventsvc.extensions import db
from eventsvc.models import Organiser
from eventsvc.services import DomainError

Row = TypeVar("Row")


def rows_of(model: type[Row], organiser: Organiser, *order_by) -> list[Row]:
    """The organiser's rows of ``model``, in ``order_by``."""
    return list(
        db.session.scalars(
            select(model).where(model.organiser_id == organiser.id).order_by(*order_by)
        )
    )


def row_of(model: type[Row], organiser: Organiser, row_id: int, missing: DomainError) -> Row:
    """The organiser's row of ``model`` with id ``row_id``; raises ``missing`` when there is none
    (or it is another organiser's)."""
    row = db.session.get(model, row_id)
    if row is None or row.organiser_id != organiser.id:
        raise missing
    return row
