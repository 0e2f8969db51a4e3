"""What every input is built on: errors collected per field, plain mappings read alike."""

import pytest
from flask_babel import force_locale
from werkzeug.datastructures import MultiDict

from eventsvc.services import DomainError
from eventsvc.services.inputs.base import Errors, InputErrors, flag, integer, text, values


def test_errors_collect_per_field_and_raise_once():
    errors = Errors()
    errors.raise_if_any()  # nothing yet
    errors.add("slug", "taken")
    errors("slug", "reserved")
    errors.merge({"name": ["empty"]}, prefix="partners.0")
    assert "slug" in errors and bool(errors)
    with pytest.raises(InputErrors) as failure:
        errors.raise_if_any()
    assert isinstance(failure.value, DomainError)
    assert failure.value.errors == {"slug": ["taken", "reserved"], "partners.0.name": ["empty"]}


def test_the_default_message_is_translated(app):
    with force_locale("fr"):
        assert str(InputErrors({}).message) == "Veuillez corriger les erreurs signalées ci-dessous."


@pytest.mark.parametrize(
    "data",
    [MultiDict([("lang", "en"), ("lang", "fr")]), {"lang": ["en", "fr"]}],
)
def test_a_form_and_a_json_body_give_the_same_values(data):
    assert values(data, "lang") == ["en", "fr"]


def test_readers_of_plain_values():
    assert values({"lang": "en"}, "lang") == ["en"]
    assert values({}, "lang") == []
    assert text({"name": "  Ada "}, "name") == "Ada"
    assert text({}, "name", "x") == "x"
    assert flag({"on": "y"}, "on") and flag({"on": True}, "on")
    assert not flag({"on": ""}, "on") and not flag({}, "on")


def test_integer_reports_on_its_key():
    errors = Errors()
    assert integer({"n": " 3 "}, "n", errors, "bad", minimum=1) == 3
    assert integer({"n": ""}, "n", errors, "bad") is None
    assert integer({"n": "0"}, "n", errors, "bad", minimum=1) is None
    assert integer({"n": True}, "n", errors, "bad") is None
    assert integer({"n": "three"}, "n", errors, "bad") is None
    assert errors.errors == {"n": ["bad", "bad", "bad"]}
