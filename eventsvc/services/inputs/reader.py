"""Reading a plain JSON object strictly, key by key, for the inputs (import files, API).

Each problem is reported with ``add(key, message)`` (see :mod:`eventsvc.services.inputs.base`):
a wrong type, a missing key, an unknown key with the closest known one.
"""

import difflib
from datetime import datetime

from flask_babel import lazy_gettext as _l

from eventsvc import clock
from eventsvc.services.inputs.base import Add


class Reader:
    """Reads one JSON object's keys by type (an import file's entry, an API body), reporting
    each problem under its key with ``add``. Keys it could not read are in ``bad_keys``: the
    input's own checks are not repeated on them (see :meth:`report`)."""

    def __init__(self, obj: dict, add: Add, allowed: set[str] | None = None):
        self.obj = obj
        self._add = add
        self.bad_keys: set[str] = set()
        for key in obj:
            if allowed is not None and key not in allowed:
                self.problem(key, unknown_key(key, allowed))

    def problem(self, key: str, message) -> None:
        self.bad_keys.add(key)
        self._add(key, message)

    def report(self, errors: dict[str, list]) -> None:
        """An input's field errors, except on keys that could not be read (already said)."""
        for key, messages in errors.items():
            if key.split(".")[0] in self.bad_keys:
                continue
            for message in messages:
                self._add(key, message)

    def string(self, key: str, *, required=False, default="") -> str:
        value = self.obj.get(key)
        if value is None:
            if required:
                self.problem(key, _l("This key is required."))
            return default
        if not isinstance(value, str):
            self.problem(key, _l("Must be a text string."))
            return default
        return value.strip()

    def texts(self, key: str) -> dict[str, str]:
        value = self.obj.get(key)
        if value is None:
            return {}
        if not isinstance(value, dict) or not all(isinstance(v, str) for v in value.values()):
            self.problem(key, _l("Must be an object of texts by language, like {“en”: “…”}."))
            return {}
        return value

    def strings(self, key: str) -> list[str]:
        value = self.obj.get(key)
        if value is None:
            return []
        if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
            self.problem(key, _l("Must be a list of text strings."))
            return []
        return [v.strip() for v in value]

    def wall_time(self, key: str, *, required=False) -> datetime | None:
        text = self.string(key, required=required)
        if not text:
            return None
        try:
            return clock.parse_wall(text)
        except ValueError:
            self.problem(
                key,
                _l(
                    "“%(value)s” is not a local time: write YYYY-MM-DDTHH:MM, without an offset.",
                    value=text,
                ),
            )
            return None

    def whole_number(self, key: str) -> int | None:
        value = self.obj.get(key)
        if value is None:
            return None
        if isinstance(value, bool) or not isinstance(value, int):
            self.problem(key, _l("Must be a whole number, or null."))
            return None
        return value

    def flag(self, key: str) -> bool:
        value = self.obj.get(key)
        if value is None:
            return False
        if not isinstance(value, bool):
            self.problem(key, _l("Must be true or false."))
            return False
        return value


def unknown_key(key: str, allowed: set[str]):
    close = difflib.get_close_matches(key, sorted(allowed), n=1)
    if close:
        return _l("Unknown key: did you mean “%(key)s”?", key=close[0])
    return _l("Unknown key (see the import format for the keys an entry may have).")
