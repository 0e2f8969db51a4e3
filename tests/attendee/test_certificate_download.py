"""The certificate on the personal page: offered and served only to those who attended by the
rule, after the event (issue 18)."""

from datetime import timedelta

import pytest

from eventsvc.services import registrations
from eventsvc.unit_of_work import unit_of_work
from tests.attendee.test_self_service import page_url, parse
from tests.certificate_helpers import mark_attended, pdf_text


@pytest.fixture
def event(make_event):
    return make_event(slug="gps")


def test_an_attendee_downloads_their_certificate(client, event, make_registration, frozen_clock):
    person = make_registration(event, language="es", full_name="Ἑλένη Ἀθανασίου")
    mark_attended(person, 45)
    frozen_clock.set(event.ends_at + timedelta(hours=20))

    page = parse(client.get(page_url(person, "es")))
    link = page.select_one(".follow-up a.button")
    assert link.get_text(strip=True) == "Descargar su certificado de asistencia (PDF)"
    response = client.get(link["href"])

    assert response.status_code == 200
    assert response.mimetype == "application/pdf"
    text = pdf_text(response.data)
    assert "Ἑλένη Ἀθανασίου" in text and "Certificado de asistencia" in text


def test_no_certificate_for_those_who_did_not_attend(
    client, event, make_registration, frozen_clock
):
    absent = make_registration(event)
    brief = make_registration(event)
    cancelled = make_registration(event)
    mark_attended(brief, 3, attended=False)
    mark_attended(cancelled, 60)
    with unit_of_work():
        registrations.cancel(cancelled)
    frozen_clock.set(event.ends_at + timedelta(hours=20))

    for person in (absent, brief, cancelled):
        assert parse(client.get(page_url(person))).select_one(".follow-up") is None
        assert client.get(page_url(person, suffix="/certificate.pdf")).status_code == 404


def test_no_certificate_before_the_end(client, event, make_registration):
    person = make_registration(event)
    mark_attended(person, 60)

    assert client.get(page_url(person, suffix="/certificate.pdf")).status_code == 404
