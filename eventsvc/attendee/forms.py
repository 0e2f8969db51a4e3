"""Forms of the registrant's own page."""

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import RadioField, SelectField
from wtforms.validators import InputRequired, Optional

from eventsvc.i18n import current_locale, language_name, supported_locales
from eventsvc.models import Registration
from eventsvc.public.forms import (
    country_field,
    country_select_choices,
    full_name_field,
    interpretation_choices,
    organisation_field,
)


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


class DetailsForm(FlaskForm):
    """What the registrant may correct about themselves: name, organisation, country.

    Prefixed, so that its fields and CSRF token keep ids of their own beside the preferences.
    """

    full_name = full_name_field()
    organisation = organisation_field()
    country = country_field()

    def __init__(self, registration: Registration, *args, **kwargs):
        kwargs.setdefault("prefix", "details")
        kwargs.setdefault("full_name", registration.full_name)
        kwargs.setdefault("organisation", registration.organisation)
        kwargs.setdefault("country", registration.country)
        super().__init__(*args, **kwargs)
        self.country.choices = country_select_choices(current_locale())


class CancelForm(FlaskForm):
    """Only the CSRF token: the confirmation step is the page itself."""
