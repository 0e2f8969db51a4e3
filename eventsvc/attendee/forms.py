"""Forms of the registrant's own page."""

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import RadioField, SelectField
from wtforms.validators import InputRequired, Optional

from eventsvc.i18n import language_name, supported_locales
from eventsvc.models import Registration
from eventsvc.public.forms import form_field, interpretation_choices, set_choices, submitted
from eventsvc.services import fields as registry


class PreferencesForm(FlaskForm):
    """The language of our messages and the language the registrant listens in."""

    language = RadioField(
        _l("Language for our emails"),
        validators=[InputRequired(_l("Choose a language for our emails."))],
    )
    interpretation_language = SelectField(
        _l("Language you will listen in"), validators=[Optional()]
    )

    def __init__(self, registration: Registration, *args, **kwargs):
        kwargs.setdefault("language", registration.language)
        kwargs.setdefault("interpretation_language", registration.interpretation_language or "")
        super().__init__(*args, **kwargs)
        self.language.choices = [(code, language_name(code, code)) for code in supported_locales()]
        self.interpretation_language.choices = interpretation_choices(registration.event)

    @property
    def offers_interpretation(self) -> bool:
        return bool(self.interpretation_language.choices)


class DetailsBase(FlaskForm):
    """What the registrant may correct about themselves: the fields of the registry's
    "details" section (name, organisation, country), checked by ``change_details``.

    Prefixed, so that its fields and CSRF token keep ids of their own beside the preferences.
    """

    specs: tuple = ()

    def __init__(self, registration: Registration, *args, **kwargs):
        kwargs.setdefault("prefix", "details")
        for spec in self.specs:
            kwargs.setdefault(spec.key, getattr(registration, spec.column))
        super().__init__(*args, **kwargs)
        set_choices(self, registration.event)

    def submitted(self) -> dict:
        return submitted(self, self.specs)


_DETAILS = tuple(registry.personal_page_fields("details"))
DetailsForm = type(
    "DetailsForm",
    (DetailsBase,),
    {"specs": _DETAILS, **{spec.key: form_field(spec) for spec in _DETAILS}},
)


class CancelForm(FlaskForm):
    """Only the CSRF token: the confirmation step is the page itself."""
