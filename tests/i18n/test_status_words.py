"""French status words agree with what they describe: an event (“événement”, masculine) or a
registration (“inscription”, feminine), though English uses one word for both."""

import csv
import io

import pytest

from eventsvc.extensions import db
from eventsvc.models import EventStatus
from eventsvc.services import audit
from eventsvc.services.registrations import cancel
from eventsvc.services.tokens import make_token
from eventsvc.unit_of_work import unit_of_work
from tests.i18n.wording import cell_texts, parse


@pytest.fixture
def event(make_event, make_registration):
    """One confirmed, one waitlisted and one cancelled registration."""
    event = make_event(slug="gps-launch", capacity=2)
    make_registration(event, full_name="Amina Diallo")
    with unit_of_work():
        cancel(make_registration(event, full_name="Bruno Costa"))
    make_registration(event, full_name="Chloé Martin")
    make_registration(event, full_name="Dmitri Ivanov")
    return event


def registrant_status(client, registration) -> str:
    doc = parse(client.get(f"/fr/registrations/{make_token(registration)}"))
    return doc.select_one("dd[data-status]").get_text(" ", strip=True)


def test_registrant_page_calls_a_registration_confirmee_or_annulee(
    client, make_event, make_registration
):
    registration = make_registration(make_event())
    assert registrant_status(client, registration) == "Confirmée"
    with unit_of_work():
        cancel(registration)
    assert registrant_status(client, registration) == "Annulée"


def test_public_badge_calls_a_cancelled_event_annule(client, make_event):
    make_event(status=EventStatus.CANCELLED, title={"en": "Called off", "fr": "Annulé"})
    badges = cell_texts(parse(client.get("/fr/")).select(".card .badge"))
    assert badges == ["Annulé"]


def test_attendee_list_gives_each_registration_a_feminine_status(french_organiser, event):
    doc = parse(french_organiser.get("/organiser/events/gps-launch/registrations"))
    statuses = cell_texts(doc.select("td .status"))
    assert sorted(statuses) == ["Annulée", "Confirmée", "Confirmée", "En liste d’attente"]
    options = cell_texts(doc.select("select[name=status] option"))
    assert {"Confirmée", "En liste d’attente", "Annulée"} <= set(options)


def test_event_list_shows_event_statuses_masculine_and_registration_counts_feminine(
    french_organiser, event, make_event
):
    make_event(slug="draft", status=EventStatus.DRAFT)
    make_event(slug="called-off", status=EventStatus.CANCELLED)
    doc = parse(french_organiser.get("/organiser/events"))
    assert set(cell_texts(doc.select(".events-table .badge"))) == {"Publié", "Brouillon", "Annulé"}
    headers = cell_texts(doc.select(".events-table thead th"))
    assert {"Confirmées", "En liste d’attente", "Annulées"} <= set(headers)
    labels = {cell["data-label"] for cell in doc.select(".events-table td.num")}
    assert {"Confirmées", "Annulées"} <= labels


def test_event_page_counts_registrations_and_logs_the_event_cancelled(french_organiser, event):
    with unit_of_work():
        audit.record(audit.CANCELLED, event=event)
    db.session.commit()
    doc = parse(french_organiser.get("/organiser/events/gps-launch"))
    assert cell_texts(doc.select(".numbers dt"))[:3] == [
        "Confirmées",
        "En liste d’attente",
        "Annulées",
    ]
    assert ">Annulé</td>" in str(doc)


def test_statistics_count_registrations_in_the_feminine(french_organiser, event):
    doc = parse(french_organiser.get("/organiser/events/gps-launch/stats"))
    assert cell_texts(doc.select(".numbers dt")) == ["Confirmées", "En liste d’attente", "Annulées"]
    assert "Confirmées et en liste d’attente" in cell_texts(doc.select("table.breakdown th"))

    response = french_organiser.get("/organiser/events/gps-launch/stats.csv?table=country")
    header = next(csv.reader(io.StringIO(response.get_data().decode("utf-8-sig"))))
    assert header[2:] == ["Confirmées", "En liste d’attente", "Confirmées et en liste d’attente"]


def test_english_keeps_one_word_for_both(organiser, event):
    doc = parse(organiser.get("/organiser/events/gps-launch/registrations"))
    assert "Cancelled" in cell_texts(doc.select("td .status"))
    doc = parse(organiser.get("/organiser/events"))
    assert cell_texts(doc.select(".events-table .badge")) == ["Published"]
    assert "Cancelled" in cell_texts(doc.select(".events-table thead th"))
