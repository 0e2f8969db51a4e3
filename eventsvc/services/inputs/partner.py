"""The partner input: what the partner pages and the importer submit, checked once.

Field keys: ``acronym``, ``website``, ``logo``, and ``name.<locale>`` /
``description.<locale>`` for the texts.
"""

import io
import re
from dataclasses import dataclass, field

from flask import current_app
from flask_babel import lazy_gettext as _l
from PIL import Image, UnidentifiedImageError
from sqlalchemy import select

from eventsvc.extensions import db
from eventsvc.models import Partner
from eventsvc.services.inputs.base import Add, Errors
from eventsvc.services.inputs.reader import Reader
from eventsvc.services.inputs.web import is_web_address

ACRONYM_MAX = 32
ACRONYM_PATTERN = re.compile(r"^[^\s,]+$")
PARTNER_NAME_MAX = 200
PARTNER_DESCRIPTION_MAX = 5000
WEBSITE_MAX = 500
#: The keys of a partner in an import file (docs/import-format.md) or a JSON body.
PARTNER_KEYS = {"acronym", "website", "name", "description"}

#: Largest logo accepted, in bytes, and in pixels on its longer side.
LOGO_MAX_BYTES = 200 * 1024  # under MAX_CONTENT_LENGTH (256 KiB), so the form can say so
LOGO_MAX_PIXELS = 4000
#: Raster formats only: an SVG can carry scripts.
LOGO_TYPES = {"PNG": "image/png", "JPEG": "image/jpeg", "WEBP": "image/webp"}


@dataclass(frozen=True)
class PartnerData:
    """A partner as people describe it: texts per locale, a website, maybe a new logo."""

    acronym: str
    website: str = ""
    names: dict[str, str] = field(default_factory=dict)
    descriptions: dict[str, str] = field(default_factory=dict)
    #: New logo bytes, ``None`` to keep the current one.
    logo: bytes | None = None
    remove_logo: bool = False

    @classmethod
    def read(cls, reader: Reader) -> "PartnerData":
        """The partner a JSON object describes (texts in unsupported locales reported)."""
        return cls(
            acronym=reader.string("acronym", required=True),
            website=reader.string("website"),
            names=_supported_texts(reader, "name"),
            descriptions=_supported_texts(reader, "description"),
        )


def check_partner(data: PartnerData, add: Add, *, missing_name_key: str) -> None:
    """The rules every partner follows, wherever it comes from (stored partners aside).

    ``missing_name_key`` is where "give a name" goes: the first name field of a form, or the
    ``name`` key of an import file's entry.
    """
    if (
        not data.acronym
        or len(data.acronym) > ACRONYM_MAX
        or not ACRONYM_PATTERN.match(data.acronym)
    ):
        add("acronym", _l("At most %(max)d characters, without spaces or commas.", max=ACRONYM_MAX))
    if data.website and not (len(data.website) <= WEBSITE_MAX and is_web_address(data.website)):
        add("website", _l("Must be a web address starting with https://."))
    if not any((name or "").strip() for name in data.names.values()):
        add(missing_name_key, _l("Give the partner's name in at least one language."))
    _check_lengths("name", data.names, PARTNER_NAME_MAX, add)
    _check_lengths("description", data.descriptions, PARTNER_DESCRIPTION_MAX, add)


def _check_lengths(key: str, texts: dict[str, str], limit: int, add: Add) -> None:
    for locale, text in texts.items():
        if len((text or "").strip()) > limit:
            add(f"{key}.{locale}", _l("At most %(max)d characters.", max=limit))


def _supported_texts(reader: Reader, key: str) -> dict[str, str]:
    """The texts of ``key`` in supported locales, stripped (their length is the input's to
    check)."""
    supported = current_app.config["SUPPORTED_LOCALES"]
    cleaned = {}
    for locale, value in reader.texts(key).items():
        if locale not in supported:
            reader.problem(
                f"{key}.{locale}",
                _l(
                    "Texts in “%(locale)s” are not supported here (supported: %(supported)s).",
                    locale=locale,
                    supported=", ".join(supported),
                ),
            )
        else:
            cleaned[locale] = value.strip()
    return cleaned


def partner_errors(
    data: PartnerData, partner: Partner | None, *, missing_name_key: str
) -> tuple[dict[str, list], str]:
    """Field errors of ``data`` as a new partner (``partner`` None) or a change of ``partner``,
    and the logo's media type when a new logo is acceptable."""
    errors = Errors()
    check_partner(data, errors, missing_name_key=missing_name_key)
    if "acronym" not in errors:
        clash = db.session.scalar(select(Partner).where(Partner.acronym == data.acronym))
        if clash is not None and clash is not partner:
            errors.add(
                "acronym", _l("Another partner already uses “%(acronym)s”.", acronym=data.acronym)
            )
    logo_type = ""
    if data.logo:
        try:
            logo_type = check_logo(data.logo)
        except ValueError as problem:
            errors.add("logo", problem.args[0])
    return errors.errors, logo_type


def check_logo(data: bytes) -> str:
    """The media type of an acceptable logo; raises :class:`ValueError` with the reason."""
    if len(data) > LOGO_MAX_BYTES:
        raise ValueError(_l("The logo may be at most %(max)d KB.", max=LOGO_MAX_BYTES // 1024))
    try:
        with Image.open(io.BytesIO(data)) as image:
            image_format = image.format
            width, height = image.size
            image.verify()
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError) as error:
        raise ValueError(_l("The logo must be a PNG, JPEG or WebP image.")) from error
    if image_format not in LOGO_TYPES:
        raise ValueError(_l("The logo must be a PNG, JPEG or WebP image."))
    if max(width, height) > LOGO_MAX_PIXELS:
        raise ValueError(
            _l("The logo may be at most %(max)d pixels wide and high.", max=LOGO_MAX_PIXELS)
        )
    return LOGO_TYPES[image_format]
