"""Partners (co-organising networks) created and edited in the workspace, logos included.

The importer writes partners too (:mod:`eventsvc.services.importer`); both follow the same rules
for acronyms, names and websites.
"""

from dataclasses import replace

from flask import current_app
from sqlalchemy import select

from eventsvc.extensions import db
from eventsvc.models import Organiser, Partner
from eventsvc.services import audit, page_version
from eventsvc.services.inputs.base import InputErrors
from eventsvc.services.inputs.partner import (  # noqa: F401 (re-exported for the views)
    LOGO_MAX_BYTES,
    LOGO_MAX_PIXELS,
    LOGO_TYPES,
    PartnerData,
    check_logo,
    partner_errors,
)
from eventsvc.services.inputs.web import complete_url


def list_partners() -> list[Partner]:
    return list(db.session.scalars(select(Partner).order_by(Partner.acronym)))


def save_partner(
    data: PartnerData, partner: Partner | None = None, actor: Organiser | None = None
) -> Partner:
    """Create (``partner`` None) or change a partner: raises
    :class:`InputErrors` with every problem at once."""
    data = replace(data, acronym=(data.acronym or "").strip(), website=complete_url(data.website))
    errors, logo_type = partner_errors(
        data, partner, missing_name_key=f"name.{current_app.config['DEFAULT_LOCALE']}"
    )
    if errors:
        raise InputErrors(errors)
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
