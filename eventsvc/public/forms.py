"""The public registration form."""

from functools import lru_cache

from babel import support
from flask import request, url_for
from flask_babel import force_locale, gettext
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from markupsafe import Markup
from werkzeug.datastructures import MultiDict
from wtforms import (
    BooleanField,
    EmailField,
    HiddenField,
    RadioField,
    SelectField,
    StringField,
    TextAreaField,
)
from wtforms.i18n import messages_path

from eventsvc.i18n import (
    current_locale,
    language_in_text,
    language_name,
    sorted_countries,
)
from eventsvc.models import Event
from eventsvc.models.question import SIGN_LANGUAGES
from eventsvc.models.registration import FOLLOWS_FLOOR
from eventsvc.services import fields as registry
from eventsvc.services import questions as question_service
from eventsvc.services.inputs.base import InputErrors
from eventsvc.services.inputs.registration import RegistrationInput


@lru_cache(maxsize=16)
def wtforms_translations(locale: str) -> support.Translations:
    """WTForms' own messages (the CSRF token's, for one) in ``locale``, read once per process.
    Flask-WTF reads the catalogue file again on every request that shows or checks a form: a
    millisecond of each registration, which the burst of a launch pays thousands of times."""
    return support.Translations.load(messages_path(), [locale], domain="wtforms")


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

    class Meta:
        def get_translations(self, form):
            return wtforms_translations(current_locale())

    def __init__(self, event: Event, *args, **kwargs):
        kwargs.setdefault("language", current_locale())
        super().__init__(*args, **kwargs)
        self.event = event
        self.registration_input: RegistrationInput | None = None
        #: ``q-<key>`` → messages, for the event's own questions.
        self.question_errors: dict[str, list] = {}
        set_choices(self, event)

    def asked(self):
        """The registry's built-in fields this event asks, in order, with their form fields
        (the event's own questions are :meth:`questions`)."""
        return [
            (spec, self[spec.key])
            for spec in registry.fields_for(self.event)
            if spec.question is None
        ]

    def questions(self) -> list[dict]:
        """The event's own questions as the template shows them, with what was posted."""
        specs = registry.question_fields(self.event)
        if not specs:
            return []
        posted = request.form if request.method == "POST" else MultiDict()
        return question_views(specs, posted, self.question_errors, self.event)

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
        answers = MultiDict(submitted(self, self.specs))
        for key in request.form:
            if key.startswith("q-"):  # fields of no question are never read
                answers.setlist(key, request.form.getlist(key))
        try:
            self.registration_input = RegistrationInput.parse(answers, self.event)
        except InputErrors as failed:
            self.show_errors(failed.errors)
            return False
        return valid

    def show_errors(self, errors: dict[str, list]) -> None:
        """An input's (or the service's) errors beside their fields."""
        show_errors(self, {k: v for k, v in errors.items() if not k.startswith("q-")})
        self.question_errors.update({k: v for k, v in errors.items() if k.startswith("q-")})

    @property
    def has_errors(self) -> bool:
        return bool(self.errors or self.question_errors)

    def error_count(self) -> int:
        return len(self.errors) + len(self.question_errors)


@lru_cache(maxsize=64)
def registration_form_class(specs: tuple[registry.RegistrationField, ...]):
    """A form class with one field per registry field, in the registry's order (the error
    summary lists fields in the order they were made), the honeypot last."""
    fields = {spec.key: form_field(spec) for spec in specs}
    fields["website"] = StringField(_l("Leave this field empty"))
    return type("RegistrationForm", (RegistrationFormBase,), {"specs": specs, **fields})


RegistrationForm = registration_form_class(registry.BUILT_IN)


def question_views(specs, posted, errors: dict, event: Event, registration=None) -> list[dict]:
    """What the form template needs to show each question (``public/_questions.html``):
    texts in the page's language, options (a full one marked and disabled), what was posted,
    the errors, and the condition for the progressive script (the server decides)."""
    locale = current_locale()
    full = question_service.full_choice_ids(event, excluding=registration)
    views = []
    for spec in specs:
        question = spec.question
        values = posted.getlist(spec.key)
        view = {
            "name": spec.key,
            "id": spec.key,
            "widget": spec.kind.widget,
            "label": question_service.label(question, locale),
            "help": question_service.help_text(question, locale),
            "required": question.required,
            "errors": [str(message) for message in errors.get(spec.key, ())],
            "value": values[0] if values else "",
            "chosen": values,
            "max_length": spec.max_length,
            "min": question.min_value,
            "max": question.max_value,
            "show_if": None,
        }
        if question.show_if_question:
            view["show_if"] = {
                "question": f"q-{question.show_if_question}",
                "in": " ".join(question.show_if_choices),
            }
        view["choices"] = [
            {
                "key": choice.key,
                "label": question_service.choice_label(choice, locale),
                "full": choice.id in full,
            }
            for choice in question.live_choices
        ]
        if spec.kind.widget == "country":
            view["choices"] = [
                {"key": code, "label": name, "full": False}
                for code, name in country_select_choices(locale)
                if code
            ]
        if spec.kind.widget == "accessibility":
            view["sign_label"] = str(question_service.SIGN_LANGUAGE_LABEL)
            view["sign_value"] = posted.get(f"{spec.key}-sign", "")
            view["signs"] = [
                {"key": code, "label": question_service.sign_language_name(code, locale)}
                for code in SIGN_LANGUAGES
            ]
            view["other_label"] = str(question_service.OTHER_NEEDS_LABEL)
            view["other_value"] = posted.get(f"{spec.key}-other", "")
            view["other_max"] = registry.OTHER_NEEDS_MAX
        views.append(view)
    return views
