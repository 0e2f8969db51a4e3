"""Forms of the attendee list, the statistics and announcements. CSRF comes with FlaskForm."""

from flask import current_app
from flask_babel import lazy_gettext as _l
from flask_babel import lazy_pgettext
from flask_wtf import FlaskForm
from wtforms import Form
from wtforms.fields import (
    BooleanField,
    DateTimeLocalField,
    FormField,
    SearchField,
    SelectField,
    StringField,
    SubmitField,
    TextAreaField,
)
from wtforms.validators import Length, Optional

from eventsvc.i18n import country_name, language_choices, language_in_text
from eventsvc.models import Event, RegistrationStatus
from eventsvc.models.registration import FOLLOWS_FLOOR
from eventsvc.services.attendee_search import NO_PREFERENCE, RegistrationFilters
from eventsvc.services.inputs.announcement import BODY_MAX, SUBJECT_MAX

STATUS_LABELS = {
    RegistrationStatus.CONFIRMED: lazy_pgettext("registration status", "Confirmed"),
    RegistrationStatus.WAITLISTED: lazy_pgettext("registration status", "Waitlisted"),
    RegistrationStatus.CANCELLED: lazy_pgettext("registration status", "Cancelled"),
}


class RegistrationFilterForm(FlaskForm):
    """The search and filters of the attendee list, read from the query string (GET)."""

    class Meta:
        csrf = False

    q = SearchField(_l("Name, email or organisation"), validators=[Optional(), Length(max=200)])
    status = SelectField(_l("Status"), validators=[Optional()], validate_choice=True)
    language = SelectField(_l("Communication language"), validators=[Optional()])
    interpretation = SelectField(_l("Interpretation language"), validators=[Optional()])
    country = SelectField(_l("Country"), validators=[Optional()])
    answer = SelectField(_l("Answer"), validators=[Optional()])

    def set_choices(self, event: Event, countries: list[str], answers=()) -> None:
        any_choice = [("", _l("Any"))]
        self.status.choices = any_choice + [(s.value, label) for s, label in STATUS_LABELS.items()]
        self.language.choices = any_choice + language_choices(
            current_app.config["SUPPORTED_LOCALES"]
        )
        self.interpretation.choices = (
            any_choice
            + language_choices(event.interpretation_languages)
            + [
                (FOLLOWS_FLOOR, _l("Floor language, no interpretation")),
                (NO_PREFERENCE, _l("No preference")),
            ]
        )
        named = sorted((country_name(code), code) for code in countries)
        self.country.choices = any_choice + [(code, name) for name, code in named]
        #: One group per choice question of the event (``attendee_search.answer_filter_options``).
        self.answer.choices = {"": any_choice} | {label: options for label, options in answers}

    def filters(self) -> RegistrationFilters:
        """The valid filters; an invalid value (an edited URL) counts as "any"."""
        values = {}
        for name in ("q", "status", "language", "interpretation", "country", "answer"):
            field = getattr(self, name)
            values[name] = "" if field.errors else (field.data or "").strip()
        return RegistrationFilters(**values)


class ConfirmForm(FlaskForm):
    """A button confirming an action (cancel, erase): only its CSRF token matters."""


#: Longest message organisers may add to a cancellation.
CANCEL_MESSAGE_MAX = 2000


class CancelRegistrationForm(ConfirmForm):
    """The confirmation of an organiser's cancellation, with an optional message."""

    message = TextAreaField(
        _l("Message to the registrant (optional)"),
        validators=[Optional(), Length(max=CANCEL_MESSAGE_MAX)],
    )


def cancel_event_form(locales: list[str], **kwargs) -> FlaskForm:
    """The confirmation of an event's cancellation, with an optional message per locale: each
    registrant reads the one in their language."""

    class CancelEventForm(ConfirmForm):
        def messages(self) -> dict[str, str]:
            return {locale: getattr(self, f"message_{locale}").data or "" for locale in locales}

        def message_fields(self):
            return [(locale, getattr(self, f"message_{locale}")) for locale in locales]

    for locale in locales:
        field = TextAreaField(
            _l("Message in %(language)s (optional)", language=language_in_text(locale)),
            validators=[Optional(), Length(max=CANCEL_MESSAGE_MAX)],
        )
        setattr(CancelEventForm, f"message_{locale}", field)
    return CancelEventForm(**kwargs)


class PromoteForm(ConfirmForm):
    """The confirmation of a promotion; the two flags say what the organiser agreed to."""

    out_of_turn = BooleanField()
    overbook = BooleanField()


class LocaleTextForm(Form):
    """One language of an announcement (:mod:`eventsvc.services.inputs.announcement` checks
    it; the limits are HTML hints here)."""

    subject = StringField(_l("Subject"), render_kw={"maxlength": SUBJECT_MAX})
    body = TextAreaField(_l("Message"), render_kw={"maxlength": BODY_MAX})


def announcement_form(locales: list[str], **kwargs) -> FlaskForm:
    """An announcement form with a subject and a message per locale, side by side."""

    class AnnouncementForm(FlaskForm):
        include_waitlisted = BooleanField(_l("Also send it to people on the waitlist"))
        send_at = DateTimeLocalField(
            _l("Send later, at"),
            format=["%Y-%m-%dT%H:%M", "%Y-%m-%dT%H:%M:%S"],
            validators=[Optional()],
        )
        preview = SubmitField(_l("Preview"))
        test = SubmitField(_l("Send me a test"))
        send = SubmitField(_l("Send…"))
        confirm_send = SubmitField(_l("Confirm and send"))

        def texts(self) -> dict[str, dict[str, str]]:
            return {locale: getattr(self, f"text_{locale}").data for locale in locales}

        def show_errors(self, errors: dict[str, list]) -> list:
            """Put the announcement input's errors on their fields (``subject.fr`` on the
            French subject); returns those without a field."""
            unplaced = []
            for key, messages in errors.items():
                name, _sep, locale = key.partition(".")
                holder = getattr(self, f"text_{locale}").form if locale in locales else self
                field = getattr(holder, name, None)
                if field is None:
                    unplaced.extend(messages)
                else:
                    field.errors = [*field.errors, *messages]
            return unplaced

        def text_fields(self):
            return [(locale, getattr(self, f"text_{locale}")) for locale in locales]

    for locale in locales:
        setattr(AnnouncementForm, f"text_{locale}", FormField(LocaleTextForm, label=locale))
    return AnnouncementForm(**kwargs)
