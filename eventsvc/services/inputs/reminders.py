"""The reminder settings of one event: when registrants are reminded, and a short word added.

Field keys: ``offsets`` (minutes before the start, given as a list or as text such as
``"1440, 60"``) and ``text.<locale>``. An empty ``offsets`` with ``use_defaults`` goes back to
the site's ``REMINDER_OFFSETS``; an empty list without it means no reminder at all.
"""

import re
from collections.abc import Mapping
from dataclasses import dataclass, field

from flask import current_app
from flask_babel import lazy_gettext as _l

from eventsvc.services.inputs.base import Errors

#: At most this many reminders per event, at most 30 days before, and this long a text.
OFFSETS_MAX = 5
OFFSET_MAX_MINUTES = 30 * 24 * 60
TEXT_MAX = 500


@dataclass(frozen=True)
class ReminderSettings:
    """``offsets``: minutes before the start, latest first, or ``None`` for the site's default;
    ``texts``: locale → a short text added to the reminder (only those written)."""

    offsets: list[int] | None = None
    texts: dict[str, str] = field(default_factory=dict)

    @classmethod
    def parse(
        cls, offsets, texts: Mapping[str, str] | None = None, use_defaults: bool = False
    ) -> "ReminderSettings":
        errors = Errors()
        parsed = None if use_defaults else _offsets(offsets, errors)
        clean = {}
        supported = current_app.config["SUPPORTED_LOCALES"]
        for locale, text in (texts or {}).items():
            text = (text or "").strip()
            if locale not in supported:
                errors.add(f"text.{locale}", _l("This language is not offered."))
            elif len(text) > TEXT_MAX:
                errors.add(f"text.{locale}", _l("At most %(count)d characters.", count=TEXT_MAX))
            elif text:
                clean[locale] = text
        errors.raise_if_any()
        return cls(parsed, clean)


def _offsets(offsets, errors: Errors) -> list[int]:
    if isinstance(offsets, str):
        items = [item for item in re.split(r"[,;\s]+", offsets.strip()) if item]
    else:
        items = list(offsets or [])
    minutes = []
    for item in items:
        try:
            value = int(item)
        except (TypeError, ValueError):
            errors.add("offsets", _l("Give whole minutes, separated by commas (e.g. 1440, 60)."))
            return []
        if not 1 <= value <= OFFSET_MAX_MINUTES:
            errors.add(
                "offsets",
                _l(
                    "Each reminder must come between 1 minute and %(days)d days before the start.",
                    days=OFFSET_MAX_MINUTES // (24 * 60),
                ),
            )
            return []
        minutes.append(value)
    unique = sorted(set(minutes), reverse=True)
    if len(unique) > OFFSETS_MAX:
        errors.add("offsets", _l("At most %(count)d reminders.", count=OFFSETS_MAX))
    return unique
