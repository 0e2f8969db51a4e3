"""Addresses that are not what they look like, or that our mail cannot reach, and names that
would break the lines of a mail or turn text around, are refused beside their field."""

import pytest
from bs4 import BeautifulSoup


def _field_error(response, field: str) -> str:
    page = BeautifulSoup(response.get_data(as_text=True), "html.parser")
    message = page.select_one(f"#{field}-error") or page.select_one(
        f".field-invalid:has(#{field}) .error-message"
    )
    assert message is not None, f"no error beside {field}"
    return message.get_text(" ", strip=True)


@pytest.fixture
def post(client, make_event, form_data):
    make_event(slug="gps")

    def send(lang="en", **overrides):
        return client.post(f"/{lang}/events/gps/register", data=form_data(**overrides))

    return send


def test_a_lookalike_address_cannot_take_another_persons_place(post, count_registrations):
    assert post(email="sam@example.org").status_code == 303
    refused = post(email="ſam@example.org")  # LATIN SMALL LETTER LONG S
    assert refused.status_code == 400
    assert "look-alike" in _field_error(refused, "email")
    assert count_registrations() == 1


@pytest.mark.parametrize("address", ["ｓam@example.org", "sam@ｅxample.org", "ﬁona@example.org"])
def test_compatibility_characters_are_refused(post, address):
    assert post(email=address).status_code == 400


def test_a_non_ascii_local_part_is_refused_without_smtputf8(post, count_registrations):
    refused = post(email="josé@example.org")
    assert refused.status_code == 400
    assert "accents or non-Latin letters" in _field_error(refused, "email")
    assert count_registrations() == 0


def test_the_refusal_speaks_french_on_french_pages(post):
    refused = post(lang="fr", email="josé@example.org")
    assert "Utilisez une autre adresse" in _field_error(refused, "email")


def test_an_internationalised_domain_is_accepted(post):
    assert post(email="jose@exemple-été.fr").status_code == 303


class TestWithSmtputf8:
    @pytest.fixture
    def app_config(self):
        return {"MAIL_SMTPUTF8": True}

    def test_a_non_ascii_local_part_is_accepted(self, post, count_registrations):
        assert post(email="josé@example.org").status_code == 303
        assert count_registrations() == 1


@pytest.mark.parametrize(
    "name",
    [
        "Awa\r\nBcc: victim@example.org",
        "Awa\nDiop",
        "Awa\u2028Diop",
        "Awa\tDiop",
        "Awa\x1bDiop",
        "\u202eetiS lacigoL",
        "Awa \u2066Diop\u2069",
    ],
)
def test_names_with_line_breaks_control_or_bidi_characters_are_refused(
    post, count_registrations, name
):
    refused = post(full_name=name)
    assert refused.status_code == 400
    assert "no line breaks or control characters" in _field_error(refused, "full_name")
    assert count_registrations() == 0


def test_an_organisation_with_a_line_break_is_refused(post):
    refused = post(organisation="OMEP\r\nX-Evil: 1")
    assert refused.status_code == 400
    assert "control characters" in _field_error(refused, "organisation")


@pytest.mark.parametrize("name", ["Ndèye Fall", "محمد علي", "O'Brien-Ávila", "李小龍"])
def test_names_in_any_script_are_accepted(post, name):
    assert post(full_name=name).status_code == 303
