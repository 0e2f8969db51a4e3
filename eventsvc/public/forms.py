"""The public registration form."""

from functools import lru_cache

from flask import url_for
from flask_babel import force_locale, gettext
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from markupsafe import Markup
from wtforms import (
    BooleanField,
    EmailField,
    HiddenField,
    RadioField,
    SelectField,
    StringField,
    TextAreaField,
)

from eventsvc.i18n import (
    current_locale,
    language_in_text,
    language_name,
    sorted_countries,
)
from eventsvc.models import Event
from eventsvc.models.registration import FOLLOWS_FLOOR
from eventsvc.services import fields as registry
from eventsvc.services.inputs.base import InputErrors
from eventsvc.services.inputs.registration import RegistrationInput


def _strip(value):
    return value.strip() if isinstance(value, str) else value


@lru_cache(maxsize=32)
def country_select_choices(locale: str) -> tuple[tuple[str, str], ...]:
    """The country list of the form in ``locale``, its prompt first, made once per locale."""
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


#: The WTForms field that shows each kind of answer (``Kind.widget``).
_FIELD_CLASSES = {
    "text": StringField,
    "email": EmailField,
    "textarea": TextAreaField,
    "country": SelectField,
    "radio": RadioField,
    "select": SelectField,
    "checkbox": BooleanField,
    "hidden": HiddenField,
}


def form_field(spec: registry.RegistrationField):
    """The WTForms field that shows ``spec``: its label and widget, no rules (the field's
    ``parse`` checks the answer, see :meth:`RegistrationFormBase.validate`)."""
    field_class = _FIELD_CLASSES[spec.kind.widget]
    options = {}
    if field_class in (StringField, EmailField, TextAreaField):
        options["filters"] = [_strip]
    if issubclass(field_class, SelectField):
        options["validate_choice"] = False
    if field_class is HiddenField:
        # Filled by static/js/localtime.js with the browser's IANA zone (and nothing else).
        options["filters"] = [lambda value: spec.parse(value, registry.Answering())]
        options["render_kw"] = {"data-browser-zone": ""}
    return field_class(spec.label, **options)


def submitted(form: FlaskForm, specs) -> dict:
    """What was posted for each field of ``specs`` (``None`` when absent), for the input."""
    values = {}
    for spec in specs:
        raw = form[spec.key].raw_data
        values[spec.key] = raw[0] if raw else None
    return values


def show_errors(form: FlaskForm, errors: dict[str, list]) -> None:
    """Put an input's errors on the form's fields, to be shown beside them."""
    for key, messages in errors.items():
        form[key].errors = list(messages)


def set_choices(form: FlaskForm, event: Event) -> None:
    """The choices of the form's select and radio fields, for ``event`` and the page's locale."""
    for spec in form.specs:
        if spec.key in form and isinstance(form[spec.key], SelectField):
            form[spec.key].choices = choices_for(spec, event)


def choices_for(spec: registry.RegistrationField, event: Event) -> list | tuple:
    widget = spec.kind.widget
    if widget == "country":
        return country_select_choices(current_locale())
    if widget == "select" and spec.key == "interpretation_language":
        return interpretation_choices(event)
    return spec.kind.choices(spec, event, current_locale())


class RegistrationFormBase(FlaskForm):
    """One person's registration for one event, its fields made from the registry
    (:func:`registration_form_class`); choices depend on the event and the locale."""

    specs: tuple[registry.RegistrationField, ...] = ()

    def __init__(self, event: Event, *args, **kwargs):
        kwargs.setdefault("language", current_locale())
        super().__init__(*args, **kwargs)
        self.event = event
        self.registration_input: RegistrationInput | None = None
        set_choices(self, event)

    def asked(self):
        """The registry's fields this event asks, in order, with their form fields."""
        return [(spec, self[spec.key]) for spec in registry.fields_for(self.event)]

    @property
    def offers_interpretation(self) -> bool:
        return bool(self.interpretation_language.choices)

    @staticmethod
    def hint(spec: registry.RegistrationField) -> Markup | None:
        """The field's hint, with the links it may name filled in (catalogue text is trusted
        markup, as in a template's ``_()``)."""
        if spec.hint is None:
            return None
        return Markup(str(spec.hint)) % {"url": url_for("public.privacy")}

    def is_spam(self) -> bool:
        """Whether the hidden ``website`` field, left empty by people, was filled in."""
        return bool((self.website.data or "").strip())

    def validate(self, extra_validators=None) -> bool:
        """The CSRF token by Flask-WTF, then every answer by the registration input; its
        errors are shown on the fields, and on success :attr:`registration_input` is set."""
        valid = super().validate(extra_validators)
        try:
            self.registration_input = RegistrationInput.parse(
                submitted(self, self.specs), self.event
            )
        except InputErrors as failed:
            show_errors(self, failed.errors)
            return False
        return valid


@lru_cache(maxsize=64)
def registration_form_class(specs: tuple[registry.RegistrationField, ...]):
    """A form class with one field per registry field, in the registry's order (the error
    summary lists fields in the order they were made), the honeypot last."""
    fields = {spec.key: form_field(spec) for spec in specs}
    fields["website"] = StringField(_l("Leave this field empty"))
    return type("RegistrationForm", (RegistrationFormBase,), {"specs": specs, **fields})


RegistrationForm = registration_form_class(registry.BUILT_IN)
