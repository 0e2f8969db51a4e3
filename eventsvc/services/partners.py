"""Partners (co-organising networks) created and edited in the workspace, logos included.

The importer writes partners too (:mod:`eventsvc.services.importer`); both follow the same rules
for acronyms, names and websites.
"""

import io
from dataclasses import dataclass, field

from flask import current_app
from flask_babel import lazy_gettext as _l
from PIL import Image, UnidentifiedImageError
from sqlalchemy import select

from eventsvc.extensions import db
from eventsvc.models import Organiser, Partner
from eventsvc.services import audit, page_version
from eventsvc.services.events import ValidationFailed, complete_url
from eventsvc.services.importer import (
    ACRONYM_MAX,
    ACRONYM_PATTERN,
    PARTNER_DESCRIPTION_MAX,
    PARTNER_NAME_MAX,
    _is_web_address,
)

#: Largest logo accepted, in bytes, and in pixels on its longer side.
LOGO_MAX_BYTES = 200 * 1024  # under MAX_CONTENT_LENGTH (256 KiB), so the form can say so
LOGO_MAX_PIXELS = 4000
#: Raster formats only: an SVG can carry scripts.
LOGO_TYPES = {"PNG": "image/png", "JPEG": "image/jpeg", "WEBP": "image/webp"}


@dataclass
class PartnerData:
    acronym: str
    website: str = ""
    names: dict[str, str] = field(default_factory=dict)
    descriptions: dict[str, str] = field(default_factory=dict)
    #: New logo bytes, ``None`` to keep the current one.
    logo: bytes | None = None
    remove_logo: bool = False


def list_partners() -> list[Partner]:
    return list(db.session.scalars(select(Partner).order_by(Partner.acronym)))


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


def _errors(data: PartnerData, partner: Partner | None) -> tuple[dict, str]:
    errors: dict[str, list] = {}

    def add(key, message):
        errors.setdefault(key, []).append(message)

    if (
        not data.acronym
        or len(data.acronym) > ACRONYM_MAX
        or not ACRONYM_PATTERN.match(data.acronym)
    ):
        add("acronym", _l("At most %(max)d characters, without spaces or commas.", max=ACRONYM_MAX))
    else:
        clash = db.session.scalar(select(Partner).where(Partner.acronym == data.acronym))
        if clash is not None and clash is not partner:
            add("acronym", _l("Another partner already uses “%(acronym)s”.", acronym=data.acronym))
    if data.website and not _is_web_address(data.website):
        add("website", _l("Must be a web address starting with https://."))
    if not any((name or "").strip() for name in data.names.values()):
        add(
            f"name.{current_app.config['DEFAULT_LOCALE']}",
            _l("Give the partner's name in at least one language."),
        )
    for locale, name in data.names.items():
        if len(name or "") > PARTNER_NAME_MAX:
            add(f"name.{locale}", _l("At most %(max)d characters.", max=PARTNER_NAME_MAX))
    for locale, text in data.descriptions.items():
        if len(text or "") > PARTNER_DESCRIPTION_MAX:
            add(
                f"description.{locale}",
                _l("At most %(max)d characters.", max=PARTNER_DESCRIPTION_MAX),
            )
    logo_type = ""
    if data.logo:
        try:
            logo_type = check_logo(data.logo)
        except ValueError as problem:
            add("logo", problem.args[0])
    return errors, logo_type


def save_partner(
    data: PartnerData, partner: Partner | None = None, actor: Organiser | None = None
) -> Partner:
    """Create (``partner`` None) or change a partner; raises
    :class:`ValidationFailed` with every problem at once."""
    data.acronym = (data.acronym or "").strip()
    data.website = complete_url(data.website)
    errors, logo_type = _errors(data, partner)
    if errors:
        raise ValidationFailed(errors)
    creating = partner is None
    if creating:
        partner = Partner(acronym=data.acronym)
        db.session.add(partner)
    partner.acronym = data.acronym
    partner.website = data.website
    for locale in current_app.config["SUPPORTED_LOCALES"]:
        partner.set_text(
            locale,
            name=(data.names.get(locale) or "").strip(),
            description=(data.descriptions.get(locale) or "").strip(),
        )
    if data.logo:
        partner.logo, partner.logo_type = data.logo, logo_type
    elif data.remove_logo:
        partner.logo, partner.logo_type = None, ""
    db.session.flush()
    if not creating:
        page_version.partner_changed(partner.id)
    audit.record(
        "partner_created" if creating else "partner_updated", None, actor, acronym=partner.acronym
    )
    return partner
