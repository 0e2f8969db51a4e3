"""The registration's fields, described once.

Every field a registrant fills in is one :class:`RegistrationField` in one list: its key (the
name in the form, the input and the export), its texts, how an answer is checked (its
:class:`Kind`), and what the rest of the service does with it: the export's columns, whether
erasure blanks it, whether the registrant may correct it on their own page, whether the
statistics count people by it. The public form and its template, the registration input, the
exports, erasure and retention, the statistics and the personal page are all built from
:func:`fields_for`.

The model follows Indico's registration form (an item is a key, texts and flags; its field
*type* parses, shows and formats a value). Today every entry is built in and stored in a column
of ``registration`` (``column``). Per-event questions (issue 16) are more entries of the same
list, returned by :func:`fields_for` after the built-in ones, with labels given per locale
(a ``{locale: text}`` mapping instead of a catalogue string, see :func:`text_in`) and no
column: their answers are stored per registration and question.
"""

import unicodedata
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import date
from functools import cache
from typing import Any

from babel import Locale
from email_validator import EmailNotValidError, validate_email
from flask import current_app
from flask_babel import force_locale
from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from eventsvc import clock
from eventsvc.extensions import db
from eventsvc.i18n import country_name, language_name, sorted_countries
from eventsvc.models import Event
from eventsvc.models.question import (
    ACCESSIBILITY_CHOICES,
    LONG_TEXT_MAX,
    SIGN_LANGUAGES,
    TEXT_MAX,
    Question,
    QuestionType,
)
from eventsvc.models.registration import (
    EMAIL_MAX,
    FOLLOWS_FLOOR,
    NAME_MAX,
    ORGANISATION_MAX,
    QUESTION_FOR_SPEAKERS_MAX,
)

TOO_LONG = _l("Use at most %(max)d characters.")
NOT_A_CHOICE = _l("Not a valid choice.")

#: Characters that change how text around them is shown or split (bidi embeddings, overrides
#: and isolates) besides the control characters: a name is printed in mails and lists.
BIDI_CONTROLS = frozenset("\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069")
LINE_BREAKS = frozenset("\u2028\u2029\x85")

#: A text shown to people: a catalogue string (built-in fields) or one text per locale
#: (organiser-defined questions).
Text = Any


def text_in(text: Text, locale: str) -> str:
    """``text`` as the reader of ``locale`` reads it."""
    if isinstance(text, Mapping):
        return text.get(locale) or next(iter(text.values()), "")
    with force_locale(locale):
        return str(text)


class FieldInvalid(Exception):
    """One answer broke a rule; ``messages`` say which, translatable."""

    def __init__(self, *messages):
        super().__init__(*messages)
        self.messages = list(messages)


@dataclass(frozen=True)
class Answering:
    """What an answer is checked against besides itself: the event (its choices)."""

    event: Event | None = None


# --- Kinds: how one kind of answer is read, checked and shown ------------------------------


class Kind:
    """How answers of one kind are parsed from what was posted (a string, ``None`` when absent,
    or a JSON value) and shown. ``widget`` names the template macro that renders it."""

    widget = "text"

    def parse(self, spec: "RegistrationField", raw, answering: Answering):
        raise NotImplementedError

    def value_label(self, value, locale: str) -> str:
        """How a stored value reads in ``locale`` (statistics)."""
        return "" if value is None else str(value)

    def exporter(self, locale: str) -> Callable[[Any], Any]:
        """A converter from stored values to export cells in ``locale``, made once per export:
        it runs for every row."""
        return lambda value: value

    def choices(self, spec: "RegistrationField", event: Event | None, locale: str) -> list:
        return []

    def read(self, submitted: Mapping, key: str):
        """What was posted for the field ``key`` (one value; a list for several)."""
        return submitted.get(key)


def _stripped(raw) -> str:
    return raw.strip() if isinstance(raw, str) else ""


def _is_plain(value: str) -> bool:
    return not any(
        unicodedata.category(c) == "Cc" or c in BIDI_CONTROLS or c in LINE_BREAKS for c in value
    )


class TextKind(Kind):
    """Text, stripped, at most ``max_length`` characters; on one line unless ``multiline``."""

    def __init__(self, multiline: bool = False):
        self.multiline = multiline
        self.widget = "textarea" if multiline else "text"

    def parse(self, spec, raw, answering):
        value = _stripped(raw)
        if not value:
            if spec.required:
                raise FieldInvalid(spec.required_message)
            return ""
        problems = []
        if spec.max_length is not None and len(value) > spec.max_length:
            problems.append(TOO_LONG % {"max": spec.max_length})
        if not self.multiline and not _is_plain(value):
            problems.append(
                _l(
                    "Use letters, spaces and punctuation only: no line breaks or control "
                    "characters."
                )
            )
        if problems:
            raise FieldInvalid(*problems)
        return value


class EmailKind(TextKind):
    """An address we can send to: valid syntax (email-validator, no DNS look-up), no look-alike
    characters (NFKC changes nothing), a local part beyond ASCII only when ``MAIL_SMTPUTF8``
    says the mail server takes it."""

    widget = "email"

    def parse(self, spec, raw, answering):
        value = _stripped(raw)
        if not value:
            raise FieldInvalid(spec.required_message)
        problems = []
        if len(value) > spec.max_length:
            problems.append(TOO_LONG % {"max": spec.max_length})
        try:
            validate_email(value, check_deliverability=False, allow_smtputf8=True)
        except EmailNotValidError:
            problems.append(_l("Enter an email address in the form name@example.org."))
        if unicodedata.normalize("NFKC", value) != value:
            problems.append(
                _l("This address contains look-alike characters. Type it with plain letters.")
            )
        elif not value.rpartition("@")[0].isascii() and not current_app.config.get("MAIL_SMTPUTF8"):
            problems.append(
                _l(
                    "We cannot send mail to an address with accents or non-Latin letters before "
                    "the @. Use another address."
                )
            )
        if problems:
            raise FieldInvalid(*problems)
        return value


@cache
def known_countries() -> frozenset[str]:
    """The ISO 3166 codes the form offers (the same in every locale)."""
    return frozenset(code for code, _name in sorted_countries("en"))


class CountryKind(Kind):
    """An ISO 3166 alpha-2 code from the list the form offers (names in the page's locale)."""

    widget = "country"

    def parse(self, spec, raw, answering):
        value = _stripped(raw).upper()
        if not value:
            if spec.required:
                raise FieldInvalid(spec.required_message)
            return ""
        if value not in known_countries():
            raise FieldInvalid(NOT_A_CHOICE)
        return value

    def value_label(self, value, locale):
        return country_name(value, locale) if value else ""

    def exporter(self, locale):
        names = _country_names(locale)
        return lambda code: names.get(code, code)


class LanguageKind(Kind):
    """One of the interface's languages (``SUPPORTED_LOCALES``), shown as radio buttons."""

    widget = "radio"

    def parse(self, spec, raw, answering):
        value = _stripped(raw)
        if not value:
            raise FieldInvalid(spec.required_message)
        if value not in current_app.config["SUPPORTED_LOCALES"]:
            raise FieldInvalid(NOT_A_CHOICE)
        return value

    def value_label(self, value, locale):
        return language_name(value, locale) if value else ""

    def exporter(self, locale):
        names = _language_names(locale)
        return lambda code: names.get(code, code)

    def choices(self, spec, event, locale):
        return [
            (code, language_name(code, code)) for code in current_app.config["SUPPORTED_LOCALES"]
        ]


class InterpretationKind(Kind):
    """The language the person will listen in: ``None`` for no preference,
    :data:`FOLLOWS_FLOOR`, or one of the event's interpretation languages. Only asked when the
    event offers interpretation."""

    widget = "select"

    def parse(self, spec, raw, answering):
        value = _stripped(raw)
        if not value:
            return None
        event = answering.event
        offered = (FOLLOWS_FLOOR, *(event.interpreted_languages if event else ()))
        if value not in offered:
            raise FieldInvalid(NOT_A_CHOICE)
        return value

    def value_label(self, value, locale):
        if not value:
            return ""
        if value == FOLLOWS_FLOOR:
            with force_locale(locale):
                return str(_l("Floor language, no interpretation"))
        return language_name(value, locale)

    def exporter(self, locale):
        names = {**_language_names(locale), FOLLOWS_FLOOR: self.value_label(FOLLOWS_FLOOR, locale)}
        return lambda code: names.get(code, code) if code else ""


class CheckboxKind(Kind):
    """Ticked or not (a form posts ``y``, JSON ``true``); ``required`` means it must be
    ticked."""

    widget = "checkbox"

    def parse(self, spec, raw, answering):
        ticked = bool(raw) and raw not in ("false", False)
        if spec.required and not ticked:
            raise FieldInvalid(spec.required_message)
        return ticked

    def exporter(self, locale):
        with force_locale(locale):
            yes, no = str(_l("yes")), str(_l("no"))
        return lambda ticked: yes if ticked else no


@cache
def _country_names(locale: str) -> dict[str, str]:
    return dict(Locale.parse(locale).territories)


@cache
def _language_names(locale: str) -> dict[str, str]:
    """Every two-letter language code named in ``locale`` (stored codes may be any of them)."""
    codes = (code for code in Locale("en").languages if len(code) == 2)
    return {code: language_name(code, locale) for code in codes}


class BrowserZoneKind(Kind):
    """The IANA zone a script read from the browser: never typed, so anything zoneinfo does not
    know is dropped ("") rather than shown as an error."""

    widget = "hidden"

    def parse(self, spec, raw, answering):
        value = _stripped(raw)
        return value if value in clock.known_zones() else ""


# --- Fields --------------------------------------------------------------------------------


@dataclass(frozen=True)
class ExportColumn:
    """One column of the registrations export: its title and width, and ``cell`` making the
    cell from the stored value and the export's locale."""

    title: Text
    width: int
    #: Whether the cell shows the value as its kind names it (``Kind.exporter``), or as stored.
    named: bool = False


@dataclass(frozen=True)
class RegistrationField:
    """One thing the registration form asks. See the module's docstring."""

    key: str
    kind: Kind
    label: Text
    #: The short name in tables, exports and statistics.
    title: Text = None
    required: bool = False
    required_message: Text = None
    max_length: int | None = None
    hint: Text = None
    autocomplete: str | None = None
    #: The ``registration`` column a built-in field is stored in; ``None`` for a field the
    #: service stores itself (consent) or an organiser-defined question.
    column: str | None = None
    #: The value erasure writes over it; ``None``: not personal data, kept for the statistics.
    erased: Any = None
    #: The section of the registrant's own page where they may correct it (None: not there).
    personal_page: str | None = None
    #: The name the statistics count people by it under; ``None``: not counted.
    breakdown: str | None = None
    #: What the statistics call an empty answer.
    empty_label: Text = None
    exports: tuple[ExportColumn, ...] = field(default_factory=tuple)
    #: Asked only when the event offers something to choose (the interpretation language).
    only_with_choices: bool = False
    #: The event's own question (``models.question.Question``) this field asks, if it is one.
    question: Any = None

    def parse(self, raw, answering: Answering):
        return self.kind.parse(self, raw, answering)

    def is_asked(self, event: Event | None) -> bool:
        return not self.only_with_choices or bool(event and event.interpreted_languages)


#: A placeholder of erasure that depends on the registration (its id): see ``services.privacy``.
ERASED_ADDRESS = object()

BUILT_IN: tuple[RegistrationField, ...] = (
    RegistrationField(
        key="full_name",
        kind=TextKind(),
        label=_l("Full name"),
        title=_l("Full name"),
        required=True,
        required_message=_l("Enter your full name."),
        max_length=NAME_MAX,
        autocomplete="name",
        column="full_name",
        erased="[erased]",
        personal_page="details",
        exports=(ExportColumn(_l("Full name"), 28),),
    ),
    RegistrationField(
        key="email",
        kind=EmailKind(),
        label=_l("Email address"),
        title=_l("Email"),
        required=True,
        required_message=_l("Enter your email address."),
        max_length=EMAIL_MAX,
        hint=_l("We send the confirmation and the link to join to this address."),
        autocomplete="email",
        column="email",
        erased=ERASED_ADDRESS,
        exports=(ExportColumn(_l("Email"), 32),),
    ),
    RegistrationField(
        key="organisation",
        kind=TextKind(),
        label=_l("Organisation (optional)"),
        title=_l("Organisation"),
        max_length=ORGANISATION_MAX,
        autocomplete="organization",
        column="organisation",
        erased="",
        personal_page="details",
        exports=(ExportColumn(_l("Organisation"), 28),),
    ),
    RegistrationField(
        key="country",
        kind=CountryKind(),
        label=_l("Country"),
        title=_l("Country"),
        required=True,
        required_message=_l("Choose the country you are based in."),
        autocomplete="country",
        column="country",
        personal_page="details",
        breakdown="country",
        empty_label=_l("Not given"),
        exports=(
            ExportColumn(_l("Country code"), 9),
            ExportColumn(_l("Country"), 20, named=True),
        ),
    ),
    RegistrationField(
        key="language",
        kind=LanguageKind(),
        label=_l("Language for our emails"),
        title=_l("Communication language"),
        required=True,
        required_message=_l("Choose a language for our emails."),
        column="language",
        personal_page="languages",
        breakdown="language",
        empty_label=_l("Not given"),
        exports=(ExportColumn(_l("Communication language"), 18, named=True),),
    ),
    RegistrationField(
        key="interpretation_language",
        kind=InterpretationKind(),
        label=_l("Language you will listen in (optional)"),
        title=_l("Interpretation language"),
        hint=_l("Helps us plan the interpretation channels."),
        column="interpretation_language",
        personal_page="languages",
        breakdown="interpretation",
        empty_label=_l("No preference"),
        only_with_choices=True,
        exports=(ExportColumn(_l("Interpretation language"), 18, named=True),),
    ),
    RegistrationField(
        key="question_for_speakers",
        kind=TextKind(multiline=True),
        label=_l("A question for the speakers (optional)"),
        title=_l("Question for the speakers"),
        max_length=QUESTION_FOR_SPEAKERS_MAX,
        hint=_l(
            "The organisers pass questions on to the speakers. At most %(max)d characters.",
            max=QUESTION_FOR_SPEAKERS_MAX,
        ),
        column="question_for_speakers",
        erased="",
        exports=(ExportColumn(_l("Question for the speakers"), 48),),
    ),
    RegistrationField(
        key="consent",
        kind=CheckboxKind(),
        label=_l("I agree that my details are used to organise this event."),
        required=True,
        required_message=_l("Agree to the privacy notice to register."),
        # A link to the privacy notice: the form fills in %(url)s.
        hint=_l(
            "We use your name, email address, organisation and country only to run this "
            "event: to confirm your place, send you the link to join, reminders and any "
            'change. The organisers of the event see your registration. Read the <a href="'
            '%(url)s">privacy notice</a>.'
        ),
    ),
    RegistrationField(
        key="newsletter",
        kind=CheckboxKind(),
        label=_l("Send me news about future events."),
        title=_l("Newsletter asked for"),
        column="newsletter",
        erased=False,
        exports=(ExportColumn(_l("Newsletter asked for"), 12, named=True),),
    ),
    RegistrationField(
        key="timezone",
        kind=BrowserZoneKind(),
        label=None,
        column="timezone",
        erased="",
    ),
)

BY_KEY: dict[str, RegistrationField] = {spec.key: spec for spec in BUILT_IN}


def fields_for(event: Event | None = None) -> list[RegistrationField]:
    """The fields of ``event``'s registration form, in the form's order: the built-in ones it
    asks (the interpretation language only where interpretation is offered), then the event's
    own questions that are not retired (``q-<key>``, see :func:`question_fields`)."""
    return [spec for spec in BUILT_IN if spec.is_asked(event)] + question_fields(event)


def personal_page_fields(section: str) -> list[RegistrationField]:
    """The fields the registrant may correct in ``section`` of their own page."""
    return [spec for spec in BUILT_IN if spec.personal_page == section]


def erased_values() -> dict[str, Any]:
    """Column → the value erasure writes there (:data:`ERASED_ADDRESS` for the address)."""
    return {spec.column: spec.erased for spec in BUILT_IN if spec.erased is not None}


def counted_fields() -> dict[str, RegistrationField]:
    """Breakdown name → field, for the statistics."""
    return {spec.breakdown: spec for spec in BUILT_IN if spec.breakdown}


def exported_fields() -> list[RegistrationField]:
    return [spec for spec in BUILT_IN if spec.exports]


# --- The event's own questions (issue 16) ---------------------------------------------------

#: The built-in accessibility question's texts (the organiser gives none).
ACCESSIBILITY_LABEL = _l("Accessibility needs (optional)")
ACCESSIBILITY_HELP = _l("Tell us what you need to follow the event, so that we can book it.")
ACCESSIBILITY_CHOICE_LABELS = {
    "captions": _l("Captions"),
    "sign_language": _l("Sign language interpretation"),
    "other": _l("Other needs"),
}
SIGN_LANGUAGE_LABEL = _l("Which sign language?")
SIGN_LANGUAGE_NAMES = {
    "is": _l("International Sign"),
    "lsf": _l("French Sign Language (LSF)"),
    "bsl": _l("British Sign Language (BSL)"),
    "asl": _l("American Sign Language (ASL)"),
    "lse": _l("Spanish Sign Language (LSE)"),
    "other": _l("Another sign language"),
}
OTHER_NEEDS_LABEL = _l("Your other needs")

ANSWER_REQUIRED = _l("Answer this question.")
HIDDEN_ANSWERED = _l("This question does not apply to your answers above: leave it empty.")
#: Above this many options a single choice is a drop-down list rather than radio buttons.
RADIO_MAX = 5
#: The longest "other needs" text of the accessibility question.
OTHER_NEEDS_MAX = 500
NUMBER_LIMIT = 2_000_000_000


def posted_values(submitted: Mapping, key: str) -> list:
    """Every value posted for ``key``: a form's repeated field, or a JSON list."""
    getlist = getattr(submitted, "getlist", None)
    if getlist is not None:
        return list(getlist(key))
    value = submitted.get(key)
    if value is None:
        return []
    return list(value) if isinstance(value, list | tuple) else [value]


def asked_questions(event: Event | None) -> list[Question]:
    """The event's questions a new registrant is asked (not retired), in the form's order."""
    if event is None or event.id is None:
        return []
    query = (
        select(Question)
        .where(Question.event_id == event.id, Question.retired.is_(False))
        .order_by(Question.position)
    )
    return list(db.session.scalars(query))


def is_blank(raw) -> bool:
    """Whether nothing was posted (an empty string, no value, an empty list or details)."""
    if raw is None or raw is False:
        return True
    if isinstance(raw, str):
        return not raw.strip()
    if isinstance(raw, list | tuple):
        return all(is_blank(item) for item in raw)
    if isinstance(raw, Mapping):
        return all(is_blank(item) for item in raw.values())
    return False


def _live_keys(spec) -> list[str]:
    return [choice.key for choice in spec.question.live_choices]


class SingleChoiceKind(Kind):
    """One option's key, among the question's options that are not retired."""

    def __init__(self, count: int):
        self.widget = "radio_question" if count <= RADIO_MAX else "select_question"

    def parse(self, spec, raw, answering):
        value = _stripped(raw)
        if not value:
            if spec.required:
                raise FieldInvalid(spec.required_message)
            return None
        if value not in _live_keys(spec):
            raise FieldInvalid(NOT_A_CHOICE)
        return value


class MultipleChoiceKind(Kind):
    """Any number of the question's options (the form repeats the field), in their order."""

    widget = "checkboxes"

    def read(self, submitted, key):
        return posted_values(submitted, key)

    def parse(self, spec, raw, answering):
        given = {item.strip() for item in raw or () if isinstance(item, str) and item.strip()}
        if any(not isinstance(item, str) for item in raw or ()):
            raise FieldInvalid(NOT_A_CHOICE)
        keys = _live_keys(spec)
        if given - set(keys):
            raise FieldInvalid(NOT_A_CHOICE)
        if not given and spec.required:
            raise FieldInvalid(spec.required_message)
        return [key for key in keys if key in given]


class YesNoKind(Kind):
    """Yes or no (the form posts ``yes``/``no``, JSON ``true``/``false``); ``None``: no answer."""

    widget = "yes_no"

    def parse(self, spec, raw, answering):
        if isinstance(raw, bool):
            return raw
        value = _stripped(raw).lower()
        if not value:
            if spec.required:
                raise FieldInvalid(spec.required_message)
            return None
        if value not in ("yes", "no"):
            raise FieldInvalid(NOT_A_CHOICE)
        return value == "yes"


class NumberKind(Kind):
    """A whole number within the question's minimum and maximum."""

    widget = "number"

    def parse(self, spec, raw, answering):
        if raw is None or (isinstance(raw, str) and not raw.strip()):
            if spec.required:
                raise FieldInvalid(spec.required_message)
            return None
        if isinstance(raw, bool):
            raise FieldInvalid(_l("Enter a whole number."))
        try:
            number = raw if isinstance(raw, int) else int(str(raw).strip()[:20])
        except ValueError:
            raise FieldInvalid(_l("Enter a whole number.")) from None
        question = spec.question
        low = question.min_value if question.min_value is not None else -NUMBER_LIMIT
        high = question.max_value if question.max_value is not None else NUMBER_LIMIT
        if not low <= number <= high:
            raise FieldInvalid(_l("Enter a number from %(min)d to %(max)d.", min=low, max=high))
        return number


class DateKind(Kind):
    """A calendar date, posted as YYYY-MM-DD (what a date input sends)."""

    widget = "date"

    def parse(self, spec, raw, answering):
        if isinstance(raw, date):
            return raw
        value = _stripped(raw)
        if not value:
            if spec.required:
                raise FieldInvalid(spec.required_message)
            return None
        try:
            if len(value) != 10:
                raise ValueError(value)
            return date.fromisoformat(value)
        except ValueError:
            raise FieldInvalid(_l("Enter a date as YYYY-MM-DD, for example 2026-12-31.")) from None


class AccessibilityKind(Kind):
    """The built-in accessibility needs: options (``captions``, ``sign_language``, ``other``),
    the sign language (``q-accessibility-sign``) and other needs as text
    (``q-accessibility-other``). The value is ``{"needs", "sign_language", "other"}``."""

    widget = "accessibility"

    def read(self, submitted, key):
        given = submitted.get(key)
        if isinstance(given, Mapping):  # a JSON body gives the value itself
            return given
        return {
            "needs": posted_values(submitted, key),
            "sign_language": submitted.get(f"{key}-sign"),
            "other": submitted.get(f"{key}-other"),
        }

    def parse(self, spec, raw, answering):
        raw = raw if isinstance(raw, Mapping) else {}
        needs = raw.get("needs") or []
        if not isinstance(needs, list | tuple) or not all(isinstance(n, str) for n in needs):
            raise FieldInvalid(NOT_A_CHOICE)
        given = {need.strip() for need in needs if need.strip()}
        if given - set(ACCESSIBILITY_CHOICES):
            raise FieldInvalid(NOT_A_CHOICE)
        if not given:
            if spec.required:
                raise FieldInvalid(spec.required_message)
            return None
        sign = _stripped(raw.get("sign_language"))
        other = _stripped(raw.get("other"))
        problems = []
        if "sign_language" in given:
            if not sign:
                problems.append(_l("Choose the sign language."))
            elif sign not in SIGN_LANGUAGES:
                problems.append(NOT_A_CHOICE)
        if "other" in given:
            if not other:
                problems.append(_l("Tell us what else you need."))
            elif len(other) > OTHER_NEEDS_MAX:
                problems.append(TOO_LONG % {"max": OTHER_NEEDS_MAX})
            elif not _is_plain(other):
                problems.append(
                    _l(
                        "Use letters, spaces and punctuation only: no line breaks or control "
                        "characters."
                    )
                )
        if problems:
            raise FieldInvalid(*problems)
        return {
            "needs": [key for key in ACCESSIBILITY_CHOICES if key in given],
            "sign_language": sign if "sign_language" in given else "",
            "other": other if "other" in given else "",
        }


def question_kind(question: Question) -> Kind:
    kind = question.type
    if kind == QuestionType.TEXT:
        return TextKind()
    if kind == QuestionType.LONG_TEXT:
        return TextKind(multiline=True)
    if kind == QuestionType.SINGLE_CHOICE:
        return SingleChoiceKind(len(question.live_choices))
    if kind == QuestionType.MULTIPLE_CHOICE:
        return MultipleChoiceKind()
    if kind == QuestionType.BOOLEAN:
        return YesNoKind()
    if kind == QuestionType.NUMBER:
        return NumberKind()
    if kind == QuestionType.DATE:
        return DateKind()
    if kind == QuestionType.COUNTRY:
        return CountryKind()
    if kind == QuestionType.CHECKBOX:
        return CheckboxKind()
    return AccessibilityKind()


def question_field(question: Question) -> RegistrationField:
    """The registry entry asking ``question``: posted as ``q-<key>``."""
    built_in = question.type == QuestionType.ACCESSIBILITY
    return RegistrationField(
        key=f"q-{question.key}",
        kind=question_kind(question),
        label=ACCESSIBILITY_LABEL if built_in else dict(question.labels),
        title=ACCESSIBILITY_LABEL if built_in else dict(question.labels),
        required=question.required,
        required_message=ANSWER_REQUIRED,
        max_length={QuestionType.TEXT: TEXT_MAX, QuestionType.LONG_TEXT: LONG_TEXT_MAX}.get(
            question.type
        ),
        hint=ACCESSIBILITY_HELP if built_in else (dict(question.help) or None),
        question=question,
    )


def question_fields(event: Event | None) -> list[RegistrationField]:
    """The event's questions asked of new registrants, in the form's order."""
    return [question_field(q) for q in asked_questions(event)]


def shown(spec: RegistrationField, values: Mapping) -> bool:
    """Whether ``spec``'s condition holds for the answers parsed so far (``q-<key>`` →
    value): its controlling question's answer is one of the options named. A question whose
    controlling question is hidden, retired or unanswered is hidden too."""
    question = spec.question
    if question is None or not question.show_if_question:
        return True
    value = values.get(f"q-{question.show_if_question}")
    if isinstance(value, Mapping):
        value = value.get("needs")
    chosen = {value} if isinstance(value, str) else set(value or ())
    return bool(chosen & set(question.show_if_choices))
