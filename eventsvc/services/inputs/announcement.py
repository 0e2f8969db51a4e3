"""The announcement input: an organiser's message to an event's registrants, checked once.

Field keys: ``subject.<locale>``, ``body.<locale>`` and ``send_at``. Which languages must be
written depends on who would receive it now: that is the sending service's rule
(:func:`eventsvc.services.announcements.send_announcement`), not the input's.
"""

from dataclasses import dataclass, field
from datetime import datetime

from flask import current_app
from flask_babel import lazy_gettext as _l

from eventsvc import clock
from eventsvc.services.inputs.base import Add, Errors, max_length

SUBJECT_MAX = 200
BODY_MAX = 20_000


@dataclass(frozen=True)
class AnnouncementData:
    """``texts`` maps a locale to ``{"subject", "body"}``, both filled in and stripped;
    ``send_at`` is an instant in the future, ``None`` to send at once."""

    texts: dict[str, dict[str, str]] = field(default_factory=dict)
    include_waitlisted: bool = False
    send_at: datetime | None = None

    @classmethod
    def parse(
        cls,
        texts: dict[str, dict[str, str]],
        include_waitlisted: bool = False,
        send_at: datetime | None = None,
    ) -> "AnnouncementData":
        """The announcement from what was written; raises :class:`InputErrors`."""
        errors = Errors()
        check_lengths(texts, errors)
        if send_at is not None and send_at <= clock.now():
            errors.add("send_at", _l("Choose a time in the future, or send it now."))
        errors.raise_if_any()
        return cls(clean_texts(texts), bool(include_waitlisted), send_at)


def send_at_instant(wall: datetime | None, zone: str, add: Add) -> datetime | None:
    """The organiser's "send at" (a wall time in the event's zone) as an instant, or ``None``
    after reporting a time the clocks skip or repeat."""
    if wall is None:
        return None
    try:
        return clock.to_instant(wall, zone)
    except clock.WallTimeError as error:
        add("send_at", error.message)
        return None


def check_lengths(texts: dict[str, dict[str, str]], add: Add) -> None:
    for locale, text in (texts or {}).items():
        text = text or {}
        max_length(f"subject.{locale}", (text.get("subject") or "").strip(), SUBJECT_MAX, add)
        max_length(f"body.{locale}", (text.get("body") or "").strip(), BODY_MAX, add)


def clean_texts(texts: dict[str, dict[str, str]]) -> dict[str, dict[str, str]]:
    """Keep the supported locales whose subject and body are both filled in, stripped."""
    cleaned = {}
    for locale in current_app.config["SUPPORTED_LOCALES"]:
        text = texts.get(locale) or {}
        subject = (text.get("subject") or "").strip()
        body = (text.get("body") or "").strip()
        if subject and body:
            cleaned[locale] = {"subject": subject, "body": body}
    return cleaned
