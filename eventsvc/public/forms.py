"""The public registration form."""

import unicodedata
from functools import lru_cache

from flask import current_app
from flask_babel import force_locale, gettext
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from markupsafe import Markup, escape
from wtforms import (
    BooleanField,
    EmailField,
    HiddenField,
    RadioField,
    SelectField,
    StringField,
    TextAreaField,
)
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, Email, InputRequired, Length, Optional, ValidationError
from wtforms.widgets import Select, html_params

from eventsvc import clock
from eventsvc.i18n import (
    current_locale,
    language_in_text,
    language_name,
    sorted_countries,
    supported_locales,
)
from eventsvc.models import Event
from eventsvc.models.registration import (
    EMAIL_MAX,
    FOLLOWS_FLOOR,
    NAME_MAX,
    ORGANISATION_MAX,
    QUESTION_FOR_SPEAKERS_MAX,
)
from eventsvc.services.registrations import RegistrationData

TOO_LONG = _l("Use at most %(max)d characters.")

#: Characters that change how text around them is shown or split (bidi embeddings, overrides
#: and isolates) besides the control characters: a name is printed in mails and lists.
BIDI_CONTROLS = frozenset("\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069")
LINE_BREAKS = frozenset("\u2028\u2029\x85")


def plain_text(form, field) -> None:
    """Refuse control characters, line breaks and bidi controls in a one-line field."""
    value = field.data or ""
    if any(
        unicodedata.category(c) == "Cc" or c in BIDI_CONTROLS or c in LINE_BREAKS for c in value
    ):
        raise ValidationError(
            _l("Use letters, spaces and punctuation only: no line breaks or control characters.")
        )


def deliverable_address(form, field) -> None:
    """Refuse addresses that are not what they look like, or that our mail cannot reach.

    Compatibility normalisation (NFKC) that changes the address means look-alike characters
    (``ſam@`` reads as ``sam@``); a local part beyond ASCII needs SMTPUTF8 end to end, which
    ``MAIL_SMTPUTF8`` says the configured mail server offers.
    """
    address = field.data or ""
    if unicodedata.normalize("NFKC", address) != address:
        raise ValidationError(
            _l("This address contains look-alike characters. Type it with plain letters.")
        )
    local = address.rpartition("@")[0]
    if not local.isascii() and not current_app.config.get("MAIL_SMTPUTF8"):
        raise ValidationError(
            _l(
                "We cannot send mail to an address with accents or non-Latin letters before "
                "the @. Use another address."
            )
        )


def _strip(value):
    return value.strip() if isinstance(value, str) else value


def _known_zone(value):
    """The browser's zone if zoneinfo knows it, else "": the field is filled by a script, never
    typed, so anything else is dropped rather than shown as an error."""
    value = _strip(value) or ""
    return value if value in clock.known_zones() else ""


class PrerenderedSelect(Select):
    """A ``<select>`` whose ``<option>`` list is rendered once per choices tuple, then reused.

    For a long list that every visitor of a locale shares (about 250 countries): rendering each
    option through WTForms on every page view was half the event page's CPU time. Only the
    selected option differs between requests; it is marked in the cached HTML by replacing its
    one ``<option>``. The output is exactly :class:`~wtforms.widgets.Select`'s. Choices that are
    not a tuple of plain options (no ``render_kw``, no optgroup) are rendered the ordinary way.
    """

    def __init__(self, max_lists: int = 16):
        super().__init__()
        self.max_lists = max_lists
        self._lists: dict[int, tuple[tuple, str, dict[str, tuple[str, str]]]] = {}

    def __call__(self, field, **kwargs):
        options = self.options(field.choices)
        if options is None:
            return super().__call__(field, **kwargs)
        html = self._lists[id(field.choices)][1]
        kwargs.setdefault("id", field.id)
        flags = getattr(field, "flags", {})
        for name in self.validation_attrs:
            if name not in kwargs and getattr(flags, name, False):
                kwargs[name] = getattr(flags, name)
        if isinstance(field.data, str) and field.data in options:
            plain, selected = options[field.data]
            html = html.replace(plain, selected, 1)
        return Markup(f"<select {html_params(name=field.name, **kwargs)}>{html}</select>")

    def options(self, choices) -> dict[str, tuple[str, str]] | None:
        """Per value, its ``<option>`` unselected and selected; ``None`` for choices this widget
        leaves to WTForms."""
        if not isinstance(choices, tuple):
            return None
        cached = self._lists.get(id(choices))
        if cached is not None and cached[0] is choices:
            return cached[2]
        pairs = [_plain_pair(choice) for choice in choices]
        if None in pairs or len(self._lists) >= self.max_lists:
            return None
        options = {}
        for value, label in pairs:
            text = escape(label or value)
            options[value] = (
                f"<option {html_params(value=value)}>{text}</option>",
                f"<option {html_params(value=value, selected=True)}>{text}</option>",
            )
        if len(options) != len(pairs):
            return None
        html = "".join(plain for plain, _ in options.values())
        self._lists[id(choices)] = (choices, html, options)
        return options


def _plain_pair(choice) -> tuple[str, str] | None:
    if isinstance(choice, SelectChoice):
        if choice.render_kw or choice.optgroup is not None:
            return None
        choice = (choice.value, choice.label)
    if isinstance(choice, tuple) and len(choice) == 2 and isinstance(choice[0], str):
        return choice
    return None


class SharedChoicesSelectField(SelectField):
    """A string :class:`SelectField` for a long, cached tuple of choices: rendered by
    :class:`PrerenderedSelect`, and validated by a dictionary lookup instead of building a
    ``Choice`` per option."""

    widget = PrerenderedSelect()

    def pre_validate(self, form):
        options = self.widget.options(self.choices)
        if options is None:
            return super().pre_validate(form)
        if not self.process_errors and self.data not in options:
            raise ValidationError(self.gettext("Not a valid choice."))


@lru_cache(maxsize=32)
def country_select_choices(locale: str) -> tuple[tuple[str, str], ...]:
    """The country list of the form in ``locale``, its prompt first: one tuple per locale,
    so that :class:`PrerenderedSelect` renders it once."""
    with force_locale(locale):
        prompt = gettext("Choose a country")
    return (("", prompt), *sorted_countries(locale))


def interpretation_choices(event: Event) -> list[tuple[str, str]]:
    """The answers to "which language will you listen in", each stored as it is: no preference
    (""), the floor language without interpreter (:data:`FOLLOWS_FLOOR`), or an interpretation
    language. Empty when the event offers no interpretation."""
    offered = event.interpreted_languages
    if not offered:
        return []
    floor = _l(
        "None: I follow the floor language (%(language)s)",
        language=language_in_text(event.floor_language),
    )
    return [
        ("", _l("No preference")),
        (FOLLOWS_FLOOR, floor),
        *((code, language_name(code)) for code in offered),
    ]


def full_name_field() -> StringField:
    """The person's name, as the registration form and the personal page ask it.

    Fields are made by functions, not shared: a field's place in its form is the order in which
    it was made, and the error summary lists the fields in that order."""
    return StringField(
        _l("Full name"),
        filters=[_strip],
        validators=[
            DataRequired(_l("Enter your full name.")),
            Length(max=NAME_MAX, message=TOO_LONG),
            plain_text,
        ],
    )


def organisation_field() -> StringField:
    return StringField(
        _l("Organisation (optional)"),
        filters=[_strip],
        validators=[Optional(), Length(max=ORGANISATION_MAX, message=TOO_LONG), plain_text],
    )


def country_field() -> SharedChoicesSelectField:
    return SharedChoicesSelectField(
        _l("Country"), validators=[DataRequired(_l("Choose the country you are based in."))]
    )


class RegistrationForm(FlaskForm):
    """One person's registration for one event; choices depend on the event and the locale."""

    question_for_speakers_max = QUESTION_FOR_SPEAKERS_MAX

    full_name = full_name_field()
    email = EmailField(
        _l("Email address"),
        filters=[_strip],
        validators=[
            DataRequired(_l("Enter your email address.")),
            Length(max=EMAIL_MAX, message=TOO_LONG),
            Email(
                _l("Enter an email address in the form name@example.org."),
                check_deliverability=False,
                allow_smtputf8=True,
            ),
            deliverable_address,
        ],
    )
    organisation = organisation_field()
    country = country_field()
    language = RadioField(
        _l("Language for our emails"),
        validators=[InputRequired(_l("Choose a language for our emails."))],
    )
    interpretation_language = SelectField(
        _l("Language you will listen in (optional)"), validators=[Optional()]
    )
    question_for_speakers = TextAreaField(
        _l("A question for the speakers (optional)"),
        filters=[_strip],
        validators=[Optional(), Length(max=QUESTION_FOR_SPEAKERS_MAX, message=TOO_LONG)],
    )
    consent = BooleanField(
        _l("I agree that my details are used to organise this event."),
        validators=[DataRequired(_l("Agree to the privacy notice to register."))],
    )
    newsletter = BooleanField(_l("Send me news about future events."))
    website = StringField(_l("Leave this field empty"))
    #: Filled by static/js/localtime.js with the browser's IANA zone (and nothing else about it).
    timezone = HiddenField(filters=[_known_zone], render_kw={"data-browser-zone": ""})

    def __init__(self, event: Event, *args, **kwargs):
        kwargs.setdefault("language", current_locale())
        super().__init__(*args, **kwargs)
        self.country.choices = country_select_choices(current_locale())
        self.language.choices = [(code, language_name(code, code)) for code in supported_locales()]
        self.interpretation_language.choices = interpretation_choices(event)

    @property
    def offers_interpretation(self) -> bool:
        return bool(self.interpretation_language.choices)

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
            question_for_speakers=self.question_for_speakers.data or "",
            newsletter=bool(self.newsletter.data),
            consent=bool(self.consent.data),
            timezone=self.timezone.data or "",
        )
