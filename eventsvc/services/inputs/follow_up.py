"""The follow-up input: what an organiser writes after the event, checked once.

Field keys: ``<variant>.subject.<locale>``, ``<variant>.body.<locale>`` (variant ``attended``
or ``absent``), ``recording_url``, ``survey_url``, ``<variant>.send_at``, and ``slides`` for the
uploaded file (:func:`check_slides`). Which languages must be written depends on who will get
each variant: that is the scheduling service's rule, not the input's.
"""

import io
from dataclasses import dataclass, field
from datetime import datetime

from flask import current_app
from flask_babel import lazy_gettext as _l

from eventsvc import clock
from eventsvc.models.follow_up import URL_MAX, Variant
from eventsvc.services.inputs.base import Add, Errors, max_length
from eventsvc.services.inputs.web import complete_url, is_web_address

SUBJECT_MAX = 200
BODY_MAX = 20_000
VARIANTS = (Variant.ATTENDED, Variant.ABSENT)


@dataclass(frozen=True)
class FollowUpData:
    """``texts`` maps a locale to ``{variant: {"subject", "body"}}`` with both filled in and
    stripped; ``send_at`` maps a variant to an instant, absent for the default (the morning
    after, 09:00 in each registrant's zone)."""

    texts: dict[str, dict[str, dict[str, str]]] = field(default_factory=dict)
    recording_url: str = ""
    survey_url: str = ""
    attach_certificate: bool = False
    send_at: dict[str, datetime] = field(default_factory=dict)

    @classmethod
    def parse(
        cls,
        texts: dict,
        *,
        recording_url: str = "",
        survey_url: str = "",
        attach_certificate: bool = False,
        send_at: dict[str, datetime | None] | None = None,
    ) -> "FollowUpData":
        """The follow-up from what was written; raises :class:`InputErrors`."""
        errors = Errors()
        for locale, by_variant in (texts or {}).items():
            for variant in VARIANTS:
                text = (by_variant or {}).get(variant) or {}
                subject = (text.get("subject") or "").strip()
                body = (text.get("body") or "").strip()
                max_length(f"{variant}.subject.{locale}", subject, SUBJECT_MAX, errors.add)
                max_length(f"{variant}.body.{locale}", body, BODY_MAX, errors.add)
                if bool(subject) != bool(body):
                    key = f"{variant}.{'body' if subject else 'subject'}.{locale}"
                    errors.add(key, _l("Write both the subject and the message, or neither."))
        links = {}
        for key, value in (("recording_url", recording_url), ("survey_url", survey_url)):
            links[key] = complete_url(value)
            _check_link(key, links[key], errors.add)
        chosen = {}
        for variant, instant in (send_at or {}).items():
            if instant is None:
                continue
            if instant <= clock.now():
                errors.add(f"{variant}.send_at", _l("Choose a time in the future."))
            chosen[str(variant)] = instant
        errors.raise_if_any()
        return cls(
            _clean(texts or {}),
            links["recording_url"],
            links["survey_url"],
            bool(attach_certificate),
            chosen,
        )


def _check_link(key: str, url: str, add: Add) -> None:
    if not url:
        return
    if not is_web_address(url):
        add(key, _l("Enter a web address starting with https://."))
    else:
        max_length(key, url, URL_MAX, add)


def _clean(texts: dict) -> dict[str, dict[str, dict[str, str]]]:
    cleaned: dict[str, dict[str, dict[str, str]]] = {}
    for locale in current_app.config["SUPPORTED_LOCALES"]:
        for variant in VARIANTS:
            text = (texts.get(locale) or {}).get(variant) or {}
            subject = (text.get("subject") or "").strip()
            body = (text.get("body") or "").strip()
            if subject and body:
                cleaned.setdefault(locale, {})[str(variant)] = {"subject": subject, "body": body}
    return cleaned


def check_slides(data: bytes, add: Add) -> None:
    """A real PDF (read by pypdf, at least one page), within ``FOLLOW_UP_SLIDES_MAX_BYTES``."""
    limit = current_app.config["FOLLOW_UP_SLIDES_MAX_BYTES"]
    if not data:
        add("slides", _l("Choose a PDF file."))
        return
    if len(data) > limit:
        add(
            "slides",
            _l("The file is too large (at most %(size)s MB).", size=round(limit / 1024**2, 1)),
        )
        return
    if data.lstrip()[:5] != b"%PDF-":
        add("slides", _l("This file is not a PDF document."))
        return
    from pypdf import PdfReader
    from pypdf.errors import PyPdfError

    try:
        pages = len(PdfReader(io.BytesIO(data), strict=False).pages)
    except (PyPdfError, ValueError, KeyError, TypeError, OSError):
        pages = 0
    if pages < 1:
        add("slides", _l("This PDF file cannot be read: export it again and upload the new file."))
