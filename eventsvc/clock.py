"""Time in one place: the current instant, and local wall time <-> instants.

Everything stored is an aware UTC instant. Wall times typed by people are converted here, and a
wall time that does not exist (spring-forward gap) or happens twice (autumn fold) is refused rather
than guessed.
"""

from datetime import UTC, datetime, timedelta
from functools import cache
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError, available_timezones

from flask_babel import lazy_gettext as _l

_frozen: datetime | None = None
_skew = timedelta(0)


def now() -> datetime:
    """The current instant in UTC; tests freeze it with :func:`freeze`."""
    return _frozen if _frozen is not None else datetime.now(UTC) + _skew


def freeze(instant: datetime | None) -> None:
    global _frozen
    _frozen = instant.astimezone(UTC) if instant is not None else None


def is_frozen() -> bool:
    return _frozen is not None


def set_skew(offset: timedelta) -> None:
    """Run this process's clock ``offset`` away from the true time (tests of clock drift)."""
    global _skew
    _skew = offset


class WallTimeError(ValueError):
    """A local time that cannot name one instant; ``message`` is translatable."""

    def __init__(self, message):
        super().__init__(str(message))
        self.message = message


def zone(name: str) -> ZoneInfo:
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError) as exc:
        raise WallTimeError(_l("Unknown time zone “%(zone)s”.", zone=name)) from exc


@cache
def known_zones() -> frozenset[str]:
    return frozenset(available_timezones())


def to_instant(wall: datetime, zone_name: str) -> datetime:
    """Turn a naive local wall time in ``zone_name`` into an aware UTC instant.

    Raises :class:`WallTimeError` when the wall time falls in a DST gap or fold.
    """
    tz = zone(zone_name)
    wall = wall.replace(tzinfo=None)
    first = wall.replace(tzinfo=tz, fold=0)
    second = wall.replace(tzinfo=tz, fold=1)
    if first.utcoffset() != second.utcoffset():
        as_utc = first.astimezone(UTC)
        back = as_utc.astimezone(tz).replace(tzinfo=None)
        when = wall.strftime("%Y-%m-%d %H:%M")
        if back != wall:
            raise WallTimeError(
                _l(
                    "%(when)s does not exist in %(zone)s: the clocks go forward then. "
                    "Choose a time outside the change.",
                    when=when,
                    zone=zone_name,
                )
            )
        raise WallTimeError(
            _l(
                "%(when)s happens twice in %(zone)s: the clocks go back then. "
                "Choose a time outside the change.",
                when=when,
                zone=zone_name,
            )
        )
    return first.astimezone(UTC)


def to_wall(instant: datetime, zone_name: str) -> datetime:
    """The aware local time of ``instant`` in ``zone_name``."""
    return instant.astimezone(zone(zone_name))


def parse_wall(text: str) -> datetime:
    """Parse ``YYYY-MM-DDTHH:MM`` (seconds allowed, no offset) into a naive datetime."""
    value = datetime.fromisoformat(text.strip())
    if value.tzinfo is not None:
        raise ValueError("give local wall time without an offset")
    return value
