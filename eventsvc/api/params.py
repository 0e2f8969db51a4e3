"""Reading query parameters strictly: every problem collected, then one 400 naming them all."""

from datetime import datetime

from flask import abort

from eventsvc.problems import problem


class BadParameters:
    def __init__(self):
        self.errors: list[dict] = []

    def add(self, parameter: str, detail: str) -> None:
        self.errors.append({"parameter": parameter, "detail": detail})

    def abort_if_any(self) -> None:
        if self.errors:
            abort(
                problem(
                    400,
                    "Some query parameters are not valid.",
                    kind="invalid-parameters",
                    errors=self.errors,
                )
            )


def read_instant(name: str, raw: str | None, problems: BadParameters) -> datetime | None:
    """An ISO 8601 date-time with its offset (``2026-12-06T13:30:00+01:00``, ``…Z``)."""
    if raw is None:
        return None
    try:
        value = datetime.fromisoformat(raw.replace("z", "Z"))
    except ValueError:
        value = None
    if value is None or value.tzinfo is None:
        problems.add(
            name, "Give a date and time in ISO 8601 with its offset, e.g. 2026-12-06T13:30:00Z."
        )
        return None
    return value


def read_flag(name: str, raw: str | None, problems: BadParameters) -> bool | None:
    if raw is None:
        return None
    if raw in ("true", "false"):
        return raw == "true"
    problems.add(name, "Give true or false.")
    return None
