"""Forms of the organiser workspace (sign-in, accounts, events). CSRF comes with FlaskForm."""

from flask import current_app
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import Form
from wtforms.fields import (
    BooleanField,
    DateTimeLocalField,
    EmailField,
    FieldList,
    FormField,
    HiddenField,
    IntegerField,
    PasswordField,
    SelectField,
    SelectMultipleField,
    StringField,
    SubmitField,
    TextAreaField,
    URLField,
)
from wtforms.validators import (
    DataRequired,
    EqualTo,
    InputRequired,
    Length,
    Optional,
)
from wtforms.widgets import CheckboxInput, ListWidget

from eventsvc import clock
from eventsvc.i18n import language_choices, supported_locales
from eventsvc.models import Role
from eventsvc.models.event import DESCRIPTION_MAX, SLUG_MAX, SUMMARY_MAX, TITLE_MAX, URL_MAX
from eventsvc.passwords import MIN_PASSWORD_LENGTH
from eventsvc.services.inputs.account import EMAIL_MAX, NAME_MAX, PASSWORD_MAX
from eventsvc.services.inputs.event import JOIN_MINUTES_MAX
from eventsvc.services.inputs.web import complete_url

#: What ``<input type=datetime-local>`` sends (browsers add seconds when a step asks).
WALL_FORMATS = ["%Y-%m-%dT%H:%M", "%Y-%m-%dT%H:%M:%S"]

#: Languages offered for the floor and for interpretation: the site's, then the other UN ones.
EVENT_LANGUAGES = ("en", "fr", "es", "ar", "pt", "ru", "zh", "de")

#: Zones offered first; every other IANA zone follows in the same list.
COMMON_ZONES = (
    "Europe/Paris",
    "Europe/Brussels",
    "Europe/London",
    "Europe/Berlin",
    "Europe/Lisbon",
    "Africa/Abidjan",
    "Africa/Dakar",
    "Africa/Lagos",
    "Africa/Kinshasa",
    "Africa/Cairo",
    "Africa/Nairobi",
    "Africa/Johannesburg",
    "America/New_York",
    "America/Toronto",
    "America/Chicago",
    "America/Mexico_City",
    "America/Bogota",
    "America/Lima",
    "America/Sao_Paulo",
    "America/Santiago",
    "America/Los_Angeles",
    "Asia/Beirut",
    "Asia/Dubai",
    "Asia/Kolkata",
    "Asia/Dhaka",
    "Asia/Bangkok",
    "Asia/Manila",
    "Asia/Tokyo",
    "Australia/Sydney",
    "Pacific/Auckland",
    "UTC",
)


class MultiCheckboxField(SelectMultipleField):
    """A multiple choice shown as a list of checkboxes."""

    widget = ListWidget(prefix_label=False)
    option_widget = CheckboxInput()


class LoginForm(FlaskForm):
    email = EmailField(_l("Email address"), [DataRequired(), Length(max=254)])
    password = PasswordField(_l("Password"), [DataRequired(), Length(max=1024)])
    next = HiddenField()


class ActionForm(FlaskForm):
    """A button that changes something: sign out, publish, deactivate… (CSRF only)."""


class NewOrganiserForm(FlaskForm):
    """The account input's fields (:mod:`eventsvc.services.inputs.account` checks them)."""

    email = EmailField(_l("Email address"), [DataRequired()], render_kw={"maxlength": EMAIL_MAX})
    name = StringField(_l("Name"), render_kw={"maxlength": NAME_MAX})
    role = SelectField(_l("Role"), default=Role.ORGANISER.value)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.role.choices = role_choices()


def _new_password_field():
    return PasswordField(
        _l("New password"),
        [DataRequired()],
        render_kw={"minlength": MIN_PASSWORD_LENGTH, "maxlength": PASSWORD_MAX},
        description=_l(
            "At least %(count)s characters, not a common password. A few unrelated words "
            "make a good one.",
            count=MIN_PASSWORD_LENGTH,
        ),
    )


def _password_again_field():
    return PasswordField(
        _l("New password again"),
        [DataRequired(), EqualTo("password", message=_l("The two passwords differ."))],
    )


class ChoosePasswordForm(FlaskForm):
    password = _new_password_field()
    password_again = _password_again_field()


class ChangePasswordForm(FlaskForm):
    current_password = PasswordField(_l("Current password"), [DataRequired()])
    password = _new_password_field()
    password_again = _password_again_field()


class ForgotPasswordForm(FlaskForm):
    email = EmailField(_l("Email address"), [DataRequired(), Length(max=254)])


class CodeForm(FlaskForm):
    code = StringField(
        _l("Code"),
        [DataRequired(), Length(max=64)],
        description=_l("The 6 digits your authenticator app shows, or one of your recovery codes."),
    )


class RoleForm(FlaskForm):
    role = SelectField(_l("Role"))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.role.choices = role_choices()


def role_choices() -> list[tuple[str, str]]:
    return [(Role.ORGANISER.value, _l("Organiser")), (Role.ADMIN.value, _l("Administrator"))]


class ContentForm(Form):
    """An event's texts in one locale (a sub-form: the outer form carries the CSRF token)."""

    title = StringField(_l("Title"), render_kw={"maxlength": TITLE_MAX})
    summary = TextAreaField(
        _l("Summary"),
        render_kw={"maxlength": SUMMARY_MAX},
        description=_l("One or two sentences for the list of events and the calendar."),
    )
    description = TextAreaField(
        _l("Description"),
        render_kw={"maxlength": DESCRIPTION_MAX},
        description=_l("Markdown: **bold**, *italics*, lists, links."),
    )


def _address_field(label, description):
    """An event's web address (join link, recording, panelists'): “https://” added when left out."""
    return URLField(
        label, filters=[complete_url], render_kw={"maxlength": URL_MAX}, description=description
    )


def _join_minutes_field(label, description):
    """Minutes around the event during which its join links open (empty: the default)."""
    return IntegerField(
        label,
        [Optional()],
        render_kw={"min": 0, "max": JOIN_MINUTES_MAX},
        description=description,
    )


class EventForm(FlaskForm):
    """Create or edit an event. Build it with :func:`event_form`, which adds one texts
    sub-form per locale (``en-title``, ``fr-title``…, through :func:`localised`) and the
    partner choices.

    The form only reads what was typed (times, numbers, choices); what an event may be is the
    event input's to say (:mod:`eventsvc.services.inputs.event`), and its errors are shown on
    these fields. The limits appear here only as HTML hints (``maxlength``, ``min``)."""

    slug = StringField(
        _l("Web address"),
        render_kw={"maxlength": SLUG_MAX},
        description=_l(
            "Part of the public address of the event, e.g. gps-launch-2026. Made from the "
            "title unless you write your own."
        ),
    )
    timezone = SelectField(_l("Time zone"), [DataRequired()])
    start = DateTimeLocalField(_l("Starts"), [InputRequired()], format=WALL_FORMATS)
    end = DateTimeLocalField(_l("Ends"), [InputRequired()], format=WALL_FORMATS)
    floor_language = SelectField(_l("Floor language"), [DataRequired()])
    interpretation_languages = MultiCheckboxField(_l("Interpretation into"))
    capacity = IntegerField(
        _l("Capacity"),
        [Optional()],
        render_kw={"min": 1},
        description=_l("Leave empty for no limit. Beyond it, people join the waitlist."),
    )
    #: Its hint, with the configured hours, is in the template.
    confirm_address = BooleanField(_l("Ask registrants to confirm their address"))
    registration_closes = DateTimeLocalField(
        _l("Registration closes"),
        [Optional()],
        format=WALL_FORMATS,
        description=_l("Leave empty to take registrations until the start."),
    )
    online_url = _address_field(
        _l("Join link"),
        _l(
            "Sent only to confirmed participants, never shown publicly. "
            "“https://” is added if you leave it out."
        ),
    )
    join_opens_minutes = _join_minutes_field(
        _l("Links open (minutes before the start)"),
        _l("Before then, each person's link shows a countdown."),
    )
    join_grace_minutes = _join_minutes_field(
        _l("Links stay open (minutes after the end)"),
        _l("After then, the link says the event is over and offers the recording."),
    )
    recording_url = _address_field(
        _l("Recording"), _l("Offered by the join links once the event is over.")
    )
    panelist_url = _address_field(
        _l("Shared address for panelists"),
        _l(
            "For people without a personal link (speakers, interpreters): shown only to "
            "organisers, openings are not counted."
        ),
    )
    #: One origin a line; the event input checks them (``inputs.event``).
    embed_origins = TextAreaField(
        _l("Sites allowed to embed this event"),
        render_kw={"rows": 3, "maxlength": 6000, "spellcheck": "false"},
        description=_l(
            "One address a line, such as https://www.partner.org (no path). Only these sites "
            "may show this event's registration form in a frame; empty: the sites the "
            "administrator allows for every event."
        ),
    )
    #: The template sends an empty value before the checkboxes, so that a form with none
    #: checked still says so (:func:`chosen_required_locales`); the event input checks them.
    required_locales = MultiCheckboxField(
        _l("Languages required to publish"),
        validate_choice=False,
        description=_l(
            "The event needs a title and a summary in each of these before it is published. "
            "The floor language is always one of them."
        ),
    )
    partners = FieldList(SelectField(_l("Partner"), validate_choice=False), min_entries=3)
    add_partner = SubmitField(_l("Add another partner"))
    confirmed = HiddenField()

    def validate_partners(self, field):
        known = {value for value, _label in self.partner_choices}
        for entry in field.entries:
            if entry.data and entry.data not in known:
                entry.errors.append(_l("Choose a partner from the list."))
                raise ValueError(_l("Choose partners from the list."))

    def chosen_required_locales(self) -> list[str] | None:
        """The locales ticked as required, or ``None`` when the submission did not carry the
        choice at all (a client that predates it: the event keeps its own)."""
        if not self.required_locales.raw_data:
            return None
        return [code for code in self.required_locales.data or [] if code]

    def chosen_partners(self) -> list[str]:
        """Partner acronyms in the order given, each once."""
        return list(dict.fromkeys(entry.data for entry in self.partners.entries if entry.data))


def event_form(partner_choices, *, data=None, partner_slots=3, languages=(), **kwargs) -> EventForm:
    """An :class:`EventForm` with texts for every supported locale and partner selects.

    ``languages`` adds codes the event already uses beyond :data:`EVENT_LANGUAGES` (an
    imported event in Swahili stays editable).
    """
    form = localised(EventForm, ContentForm)(data=data, **kwargs)
    form.partner_choices = list(partner_choices)
    _fit_partner_slots(form, partner_slots)
    choices = [("", _l("— none —")), *form.partner_choices]
    for entry in form.partners.entries:
        entry.choices = choices
    form.timezone.choices = timezone_choices()
    offered = language_choices([*EVENT_LANGUAGES, *languages])
    form.floor_language.choices = offered
    form.interpretation_languages.choices = offered
    form.required_locales.choices = language_choices(supported_locales())
    return form


_localised: dict[tuple, type] = {}


def localised(form_class: type, texts_form: type) -> type:
    """``form_class`` with one ``texts_form`` sub-form per supported locale, named by it
    (``fr-title``), and ``locale_forms()`` listing them in the locales' order: the language
    fields of the event and partner forms (a service's ``title.fr`` error lands on
    ``form["fr"]["title"]``)."""
    locales = tuple(current_app.config["SUPPORTED_LOCALES"])
    key = (form_class, texts_form, locales)
    if key not in _localised:
        fields = {locale: FormField(texts_form, label=locale) for locale in locales}
        _localised[key] = type(
            f"Localised{form_class.__name__}",
            (form_class,),
            {**fields, "locales": locales, "locale_forms": _locale_forms},
        )
    return _localised[key]


def _locale_forms(form) -> list:
    """The texts sub-forms, in the order of the supported locales."""
    return [(locale, form[locale]) for locale in form.locales]


def _fit_partner_slots(form: EventForm, slots: int) -> None:
    while len(form.partners.entries) < slots:
        form.partners.append_entry()


def timezone_choices() -> dict:
    others = sorted(zone for zone in clock.known_zones() if zone not in COMMON_ZONES)
    return {
        _("Common time zones"): [(zone, zone) for zone in COMMON_ZONES],
        _("All time zones"): [(zone, zone) for zone in others],
    }


class ApiTokenForm(FlaskForm):
    """A new API token: a name to recognise it by, and what it may do
    (:mod:`eventsvc.services.api_tokens` checks both)."""

    name = StringField(
        _l("Name"),
        description=_l("What uses it, e.g. “Website sync”."),
        render_kw={"maxlength": 100},
    )
    scope = SelectField(
        _l("Access"),
        choices=[("read", _l("Read only")), ("write", _l("Read and write registrations"))],
        default="read",
    )


class WebhookForm(FlaskForm):
    """A new webhook endpoint (:mod:`eventsvc.services.webhooks` checks it)."""

    url = URLField(
        _l("Address (URL)"),
        description=_l("Where we POST each event, signed (Standard Webhooks)."),
        render_kw={"maxlength": 500},
    )
    event_types = SelectMultipleField(
        _l("Events to send"),
        choices=[
            ("registration.created", _l("Someone registered")),
            ("registration.cancelled", _l("A registration was cancelled")),
            ("registration.promoted", _l("Someone moved up from the waitlist")),
            ("event.updated", _l("An event changed")),
            ("event.cancelled", _l("An event was cancelled")),
            ("attendance.updated", _l("Attendance was imported")),
        ],
        option_widget=CheckboxInput(),
        widget=ListWidget(prefix_label=False),
    )
