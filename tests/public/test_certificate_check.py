"""The public check of a certificate: name, event and date only; an unknown code says so, the
same way whatever was typed (issue 18)."""

from datetime import timedelta

import pytest
from bs4 import BeautifulSoup

from eventsvc.services import certificates
from eventsvc.unit_of_work import unit_of_work
from tests.certificate_helpers import mark_attended


@pytest.fixture
def code(make_event, make_registration, frozen_clock):
    event = make_event(slug="gps", title={"en": "Launch", "fr": "Lancement", "es": "Presentación"})
    person = make_registration(
        event, language="fr", full_name="Анна Каренина", email="anna@example.org", country="FR"
    )
    mark_attended(person, 61)
    frozen_clock.set(event.ends_at + timedelta(days=3))
    with unit_of_work():
        return certificates.issue(person).code


def _facts(response) -> str:
    return BeautifulSoup(response.get_data(as_text=True), "html.parser").main.get_text(" ")


def test_a_genuine_certificate_shows_name_event_and_date_only(client, code):
    response = client.get(f"/es/certificates/{code}")

    assert response.status_code == 200
    text = _facts(response)
    assert "Este certificado es auténtico." in text
    assert "Анна Каренина" in text and "Presentación" in text
    assert "domingo, 6 de diciembre de 2026" in text
    assert "anna@example.org" not in text and "61" not in text and "Francia" not in text
    assert response.headers["X-Robots-Tag"] == "noindex"


def test_the_printed_short_address_opens_in_the_visitors_language(client, code):
    response = client.get(f"/certificates/{code}", headers={"Accept-Language": "fr"})

    assert response.status_code == 302
    assert response.headers["Location"].endswith(f"/fr/certificates/{code}")


@pytest.mark.parametrize("typed", ["ABCDEFGHJKMNPQRS", "abc", "x" * 300, "<script>"])
def test_an_unknown_code_says_so_and_nothing_else(client, code, typed):
    response = client.get(f"/en/certificates/{typed}")

    assert response.status_code == 404
    text = _facts(response)
    assert "No certificate has this code." in text
    assert "Анна" not in text and code not in text
