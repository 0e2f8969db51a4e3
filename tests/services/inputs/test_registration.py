"""The registration input: one definition of what a registration must hold, errors keyed by
field in the reader's language, and the only thing ``register()`` accepts."""

import pytest
from flask_babel import force_locale

from eventsvc.models.registration import FOLLOWS_FLOOR
from eventsvc.services import registrations
from eventsvc.services.inputs.base import InputErrors
from eventsvc.services.inputs.registration import RegistrationInput

VALID = {
    "full_name": "  Amina Diallo ",
    "email": "amina@example.org",
    "organisation": "OMEP Sénégal",
    "country": "sn",
    "language": "fr",
    "interpretation_language": "en",
    "question_for_speakers": "Quel calendrier ?",
    "consent": "y",
    "newsletter": "y",
    "timezone": "Africa/Dakar",
}


@pytest.fixture
def event(make_event):
    return make_event(floor_language="fr", interpretation_languages=["en"])


def errors_of(submitted, event) -> dict[str, list[str]]:
    with pytest.raises(InputErrors) as raised:
        RegistrationInput.parse(submitted, event)
    return {
        key: [str(message) for message in messages] for key, messages in raised.value.errors.items()
    }


def test_a_valid_mapping_becomes_a_clean_input(app, event):
    parsed = RegistrationInput.parse(VALID, event)
    assert parsed == RegistrationInput(
        full_name="Amina Diallo",
        email="amina@example.org",
        language="fr",
        organisation="OMEP Sénégal",
        country="SN",
        interpretation_language="en",
        question_for_speakers="Quel calendrier ?",
        newsletter=True,
        consent=True,
        timezone="Africa/Dakar",
    )


def test_a_json_body_with_booleans_parses_too(app, event):
    body = {**VALID, "consent": True, "newsletter": False, "interpretation_language": None}
    parsed = RegistrationInput.parse(body, event)
    assert (parsed.consent, parsed.newsletter, parsed.interpretation_language) == (
        True,
        False,
        None,
    )


def test_every_wrong_field_is_named_with_its_message(app, event):
    submitted = {
        **VALID,
        "full_name": " ",
        "email": "not-an-address",
        "organisation": "OMEP\r\nX-Evil: 1",
        "country": "ZZ",
        "language": "xx",
        "interpretation_language": "de",
        "question_for_speakers": "x" * 2001,
        "consent": "",
    }
    assert errors_of(submitted, event) == {
        "full_name": ["Enter your full name."],
        "email": ["Enter an email address in the form name@example.org."],
        "organisation": [
            "Use letters, spaces and punctuation only: no line breaks or control characters."
        ],
        "country": ["Not a valid choice."],
        "language": ["Not a valid choice."],
        "interpretation_language": ["Not a valid choice."],
        "question_for_speakers": ["Use at most 2000 characters."],
        "consent": ["Agree to the privacy notice to register."],
    }


def test_the_errors_read_in_french(app, event):
    with force_locale("fr"):
        assert errors_of({**VALID, "full_name": "", "country": ""}, event) == {
            "full_name": ["Saisissez vos nom et prénom."],
            "country": ["Choisissez votre pays de résidence."],
        }


def test_missing_keys_read_as_unanswered(app, event):
    assert set(errors_of({}, event)) == {"full_name", "email", "country", "language", "consent"}


def test_interpretation_is_not_asked_where_none_is_offered(app, make_event):
    plain = make_event(slug="plain", interpretation_languages=[])
    parsed = RegistrationInput.parse({**VALID, "interpretation_language": "en"}, plain)
    assert parsed.interpretation_language is None


def test_the_floor_language_is_an_answer(app, event):
    parsed = RegistrationInput.parse({**VALID, "interpretation_language": FOLLOWS_FLOOR}, event)
    assert parsed.interpretation_language == FOLLOWS_FLOOR


def test_an_unknown_browser_zone_is_dropped_not_refused(app, event):
    assert RegistrationInput.parse({**VALID, "timezone": "Mars/Olympus"}, event).timezone == ""


def test_register_takes_only_a_registration_input(app, event):
    class Lookalike:
        full_name, email, language = "A", "a@example.org", "en"

    with pytest.raises(TypeError):
        registrations.register(event, Lookalike())
