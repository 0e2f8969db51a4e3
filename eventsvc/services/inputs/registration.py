"""One person's registration as submitted: parsed and checked once, from the registry of fields.

The public form, a future import of registrations and the JSON API all hand
:meth:`RegistrationInput.parse` a plain mapping (field key → posted string, or a JSON value)
and get either a :class:`RegistrationInput` or :class:`InputErrors` keyed by field. The rules
themselves are the fields' (``services.fields``); ``services.registrations.register`` takes
nothing else.
"""

from collections.abc import Mapping
from dataclasses import dataclass, field, fields

from eventsvc.models import Event
from eventsvc.services import fields as registry
from eventsvc.services.inputs.base import Errors


@dataclass(frozen=True)
class RegistrationInput:
    """A registration's answers, each already checked by its field (see :meth:`parse`).

    Built directly only by code that owns its values (the demo data, tests); anything a person
    or a file submitted goes through :meth:`parse`.
    """

    full_name: str
    email: str
    language: str
    organisation: str = ""
    country: str = ""
    interpretation_language: str | None = None
    question_for_speakers: str = ""
    newsletter: bool = False
    consent: bool = True
    #: The IANA zone the browser reported, already checked against zoneinfo; "" if none.
    timezone: str = ""
    #: The event's own questions answered (question key → value, see
    #: ``services.questions.answers_for``); questions hidden by their condition are absent.
    answers: dict = field(default_factory=dict)
    #: The event's questions the answers were given to (set by :meth:`parse`); ``None`` for an
    #: input built directly, whose event's questions are then read when it is registered.
    questions: tuple | None = field(default=None, compare=False, repr=False)

    @classmethod
    def parse(cls, submitted: Mapping, event: Event) -> "RegistrationInput":
        """The answers of ``submitted`` for ``event``'s form, or :class:`InputErrors` naming
        every field in error. Fields the event does not ask are left at their defaults."""
        specs = registry.fields_for(event)
        values = parse_fields(submitted, specs, event)
        own = {spec.name for spec in fields(cls)}
        answers = {
            spec.question.key: values[spec.key]
            for spec in specs
            if spec.question is not None and values.get(spec.key) not in (None, "", [])
        }
        asked = tuple(spec.question for spec in specs if spec.question is not None)
        own_values = {key: value for key, value in values.items() if key in own}
        return cls(**own_values, answers=answers, questions=asked)


def parse_fields(submitted: Mapping, specs, event: Event | None) -> dict:
    """Each field of ``specs`` parsed from ``submitted`` (a missing key reads as ``None``);
    :class:`InputErrors` with every field's messages if any is wrong.

    A question hidden by its condition (``show_if``, checked on the answers before it) is
    neither required nor stored; an answer posted to it is an error."""
    answering = registry.Answering(event)
    values, errors = {}, Errors()
    for spec in specs:
        raw = spec.kind.read(submitted, spec.key)
        if not registry.shown(spec, values):
            if not registry.is_blank(raw):
                errors.add(spec.key, registry.HIDDEN_ANSWERED)
            continue
        try:
            values[spec.key] = spec.parse(raw, answering)
        except registry.FieldInvalid as invalid:
            for message in invalid.messages:
                errors.add(spec.key, message)
    errors.raise_if_any()
    return values
