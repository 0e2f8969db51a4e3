"""The public registration form."""

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import BooleanField, EmailField, RadioField, SelectField, StringField, TextAreaField
from wtforms.validators import DataRequired, Email, InputRequired, Length, Optional

from eventsvc.i18n import country_choices, current_locale, language_name, supported_locales
from eventsvc.models import Event
from eventsvc.models.registration import EMAIL_MAX, NAME_MAX, ORGANISATION_MAX, QUESTION_MAX
from eventsvc.services.registrations import RegistrationData

TOO_LONG = _l("Use at most %(max)d characters.")


def _strip(value):
    return value.strip() if isinstance(value, str) else value


class RegistrationForm(FlaskForm):
    """One person's registration for one event; choices depend on the event and the locale."""

    question_max = QUESTION_MAX

    full_name = StringField(
        _l("Full name"),
        filters=[_strip],
        validators=[
            DataRequired(_l("Enter your full name.")),
            Length(max=NAME_MAX, message=TOO_LONG),
        ],
    )
    email = EmailField(
        _l("Email address"),
        filters=[_strip],
        validators=[
            DataRequired(_l("Enter your email address.")),
            Length(max=EMAIL_MAX, message=TOO_LONG),
            Email(
                _l("Enter an email address in the form name@example.org."),
                check_deliverability=False,
            ),
        ],
    )
    organisation = StringField(
        _l("Organisation (optional)"),
        filters=[_strip],
        validators=[Optional(), Length(max=ORGANISATION_MAX, message=TOO_LONG)],
    )
    country = SelectField(
        _l("Country"), validators=[DataRequired(_l("Choose the country you are based in."))]
    )
    language = RadioField(
        _l("Language for our emails"),
        validators=[InputRequired(_l("Choose a language for our emails."))],
    )
    interpretation_language = SelectField(
        _l("Language you will listen in (optional)"), validators=[Optional()]
    )
    question = TextAreaField(
        _l("A question for the speakers (optional)"),
        filters=[_strip],
        validators=[Optional(), Length(max=QUESTION_MAX, message=TOO_LONG)],
    )
    consent = BooleanField(
        _l("I agree that my details are used to organise this event."),
        validators=[DataRequired(_l("Agree to the privacy notice to register."))],
    )
    newsletter = BooleanField(_l("Send me news about future events."))
    website = StringField(_l("Leave this field empty"))

    def __init__(self, event: Event, *args, **kwargs):
        kwargs.setdefault("language", current_locale())
        super().__init__(*args, **kwargs)
        self.country.choices = [("", _l("Choose a country"))] + country_choices()
        self.language.choices = [(code, language_name(code, code)) for code in supported_locales()]
        self.interpretation_language.choices = [("", _l("No preference"))] + [
            (code, language_name(code)) for code in event.languages
        ]

    @property
    def offers_interpretation(self) -> bool:
        return len(self.interpretation_language.choices) > 2

    def is_spam(self) -> bool:
        """Whether the hidden ``website`` field, left empty by people, was filled in."""
        return bool((self.website.data or "").strip())

    def registration_data(self) -> RegistrationData:
        return RegistrationData(
            full_name=self.full_name.data,
            email=self.email.data,
            language=self.language.data,
            organisation=self.organisation.data or "",
            country=self.country.data,
            interpretation_language=self.interpretation_language.data or None,
            question=self.question.data or "",
            newsletter=bool(self.newsletter.data),
            consent=bool(self.consent.data),
        )
