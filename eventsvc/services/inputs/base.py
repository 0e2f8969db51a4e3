"""What every input definition is built on.

An *input* is one thing a person or a file submits (an event, a partner, a registration, an
organiser account, an announcement). Its definition lives in ``services/inputs/<thing>.py``: a
frozen dataclass with a ``parse`` class method that reads a plain mapping (a web form's
``MultiDict``, an import file's row, a JSON body) and returns the dataclass or raises
:class:`InputErrors` with every problem at once, keyed by field. Web forms, the importer and the
JSON API only map their input onto it and show ``errors[key]`` next to the matching field.

Field keys are the dataclass's field names; nested values use dots (``title.fr``,
``partners.0``). Messages are lazy translatable strings, rendered in the reader's language.
"""

from collections.abc import Callable, Iterable, Mapping
from typing import Any

from flask_babel import lazy_gettext as _l

from eventsvc.services import DomainError

#: What ``errors.add`` looks like to a check that only reports problems.
Add = Callable[[str, Any], None]


class InputErrors(DomainError):
    """The input has errors: ``errors`` maps each field key to its translatable messages."""

    def __init__(self, errors: dict[str, list], message=None):
        super().__init__(message or _l("Please correct the errors marked below."))
        self.errors = errors


class Errors:
    """Collects messages per field key while an input is checked.

    Pass ``errors.add`` (or ``errors`` itself, which is callable) to small check functions;
    call :meth:`raise_if_any` at the end.
    """

    def __init__(self):
        self.errors: dict[str, list] = {}

    def add(self, key: str, message) -> None:
        self.errors.setdefault(key, []).append(message)

    __call__ = add

    def merge(self, errors: Mapping[str, Iterable], prefix: str = "") -> None:
        """Adds another input's errors, their keys under ``prefix.`` when given."""
        for key, messages in errors.items():
            for message in messages:
                self.add(f"{prefix}.{key}" if prefix else key, message)

    def __contains__(self, key: str) -> bool:
        return key in self.errors

    def __bool__(self) -> bool:
        return bool(self.errors)

    def raise_if_any(self, error_class: type[InputErrors] = InputErrors) -> None:
        if self.errors:
            raise error_class(self.errors)


# --- reading a plain mapping ------------------------------------------------------------------


def values(data: Mapping, key: str) -> list:
    """Every value given for ``key``: a form's repeated field, a JSON list, or one value."""
    getlist = getattr(data, "getlist", None)
    if getlist is not None:
        return list(getlist(key))
    value = data.get(key)
    if value is None:
        return []
    if isinstance(value, list | tuple):
        return list(value)
    return [value]


def text(data: Mapping, key: str, default: str = "") -> str:
    """``data[key]`` as a stripped string (``default`` when absent or not a string)."""
    value = data.get(key)
    if value is None:
        return default
    return str(value).strip()


def flag(data: Mapping, key: str) -> bool:
    """A checkbox or a JSON boolean: true when given as true, ``y``, ``on``, ``1``, ``yes``."""
    value = data.get(key)
    if isinstance(value, bool):
        return value
    return str(value or "").strip().lower() in {"y", "yes", "on", "1", "true"}


def integer(data: Mapping, key: str, add: Add, message, *, minimum: int | None = None):
    """``data[key]`` as an ``int``, ``None`` when empty; ``message`` on ``key`` otherwise."""
    value = data.get(key)
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    if isinstance(value, bool):
        add(key, message)
        return None
    try:
        number = value if isinstance(value, int) else int(str(value).strip())
    except ValueError:
        add(key, message)
        return None
    if minimum is not None and number < minimum:
        add(key, message)
        return None
    return number


def max_length(key: str, value: str, limit: int, add: Add) -> None:
    """Reports ``value`` longer than ``limit`` on ``key``."""
    if len(value) > limit:
        add(
            key,
            _l(
                "At most %(max)d characters (this text has %(length)d).",
                max=limit,
                length=len(value),
            ),
        )
