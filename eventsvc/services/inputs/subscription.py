"""A request to hear of new events (the subscribe form, in the site and in the embed, and the
preferences page): address, languages read, partner networks of interest, frequency."""

from collections.abc import Mapping
from dataclasses import dataclass

from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from eventsvc.extensions import db
from eventsvc.i18n import supported_locales
from eventsvc.models import Frequency, Partner
from eventsvc.services import fields as registry
from eventsvc.services.inputs.base import Errors


def _values(submitted: Mapping, key: str) -> list[str]:
    if hasattr(submitted, "getlist"):
        return [str(v) for v in submitted.getlist(key)]
    value = submitted.get(key)
    if value is None:
        return []
    return [str(v) for v in value] if isinstance(value, list | tuple) else [str(value)]


@dataclass(frozen=True)
class SubscriptionInput:
    email: str
    languages: tuple[str, ...]
    partner_ids: tuple[int, ...]
    frequency: Frequency

    @classmethod
    def parse(cls, submitted: Mapping, *, with_email: bool = True) -> "SubscriptionInput":
        errors = Errors()
        email = ""
        if with_email:
            spec = next(spec for spec in registry.BUILT_IN if spec.key == "email")
            try:
                email = spec.parse(submitted.get("email"), registry.Answering())
            except registry.FieldInvalid as invalid:
                for message in invalid.messages:
                    errors.add("email", message)
        languages = tuple(dict.fromkeys(_values(submitted, "languages")))
        if not languages:
            errors.add("languages", _l("Choose at least one language."))
        elif any(code not in supported_locales() for code in languages):
            errors.add("languages", registry.NOT_A_CHOICE)
        partner_ids: tuple[int, ...] = ()
        raw_partners = _values(submitted, "partners")
        if raw_partners:
            if not all(v.isascii() and v.isdigit() and len(v) < 10 for v in raw_partners):
                errors.add("partners", registry.NOT_A_CHOICE)
            else:
                wanted = {int(v) for v in raw_partners}
                known = set(db.session.scalars(select(Partner.id).where(Partner.id.in_(wanted))))
                if wanted - known:
                    errors.add("partners", registry.NOT_A_CHOICE)
                partner_ids = tuple(sorted(wanted))
        frequency = submitted.get("frequency") or Frequency.EACH
        if frequency not in {f.value for f in Frequency}:
            errors.add("frequency", registry.NOT_A_CHOICE)
            frequency = Frequency.EACH
        errors.raise_if_any()
        return cls(email, languages, partner_ids, Frequency(frequency))
