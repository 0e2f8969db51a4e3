"""Forms of the registrant's own page."""

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import RadioField, SelectField, StringField
from wtforms.validators import DataRequired, InputRequired, Length, Optional

from eventsvc.i18n import current_locale, language_name, supported_locales
from eventsvc.models import Registration
from eventsvc.models.registration import NAME_MAX, ORGANISATION_MAX
from eventsvc.public.forms import (
    TOO_LONG,
    SharedChoicesSelectField,
    country_select_choices,
    interpretation_choices,
)


def _strip(value):
    return value.strip() if isinstance(value, str) else value


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

    full_name = StringField(
        _l("Full name"),
        filters=[_strip],
        validators=[
            DataRequired(_l("Enter your full name.")),
            Length(max=NAME_MAX, message=TOO_LONG),
        ],
    )
    organisation = StringField(
        _l("Organisation (optional)"),
        filters=[_strip],
        validators=[Optional(), Length(max=ORGANISATION_MAX, message=TOO_LONG)],
    )
    country = SharedChoicesSelectField(
        _l("Country"), validators=[DataRequired(_l("Choose the country you are based in."))]
    )

    def __init__(self, registration: Registration, *args, **kwargs):
        kwargs.setdefault("prefix", "details")
        kwargs.setdefault("full_name", registration.full_name)
        kwargs.setdefault("organisation", registration.organisation)
        kwargs.setdefault("country", registration.country)
        super().__init__(*args, **kwargs)
        self.country.choices = country_select_choices(current_locale())


class CancelForm(FlaskForm):
    """Only the CSRF token: the confirmation step is the page itself."""
