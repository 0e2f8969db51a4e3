"""Row ids read from URLs and forms: whole numbers the databases can hold.

Every id column is an ``Integer``: PostgreSQL's ``integer`` refuses a number past 2³¹ − 1
(``NumericValueOutOfRange``), and SQLite cannot even compare one past 2⁶³ − 1
(``OverflowError``): found by the URL fuzz tests, as a 500 for a thirty-digit ``?page=``.
Routes' ``<int:…>`` parts stop there (:class:`RowIdConverter`, installed as ``int`` by the app
factory) and answer 404; forms read ids with ``type=row_id``, which drops them.
"""

from werkzeug.routing import IntegerConverter

#: The largest id an ``Integer`` column holds on PostgreSQL (the smaller of the two databases).
MAX_ROW_ID = 2**31 - 1


class RowIdConverter(IntegerConverter):
    """``<int:…>`` at most :data:`MAX_ROW_ID` unless the rule says otherwise."""

    def __init__(self, map, *args, **kwargs):
        kwargs.setdefault("max", MAX_ROW_ID)
        super().__init__(map, *args, **kwargs)


def row_id(value: str) -> int:
    """``value`` as an id; ``ValueError`` (so ``request.form.get(..., type=row_id)`` gives the
    default and ``getlist`` leaves it out) when it is not one a row can have."""
    number = int(value)
    if not 0 < number <= MAX_ROW_ID:
        raise ValueError(f"not a row id: {value!r}")
    return number
