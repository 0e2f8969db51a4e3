"""Sensitive answers (issue 16) are left out of the default export; the attendee page offers
them as an explicit choice, and that export is recorded as such in the event's history."""

import csv
import io

import pytest
from sqlalchemy import select

from eventsvc.extensions import db
from eventsvc.models import AuditEntry
from eventsvc.services import questions
from eventsvc.unit_of_work import unit_of_work
from tests.services.test_questions import answer, role

HEALTH = {
    "key": "health",
    "type": "text",
    "label": {"en": "Health needs", "fr": "Besoins de santé"},
    "sensitive": True,
}


@pytest.fixture
def event(make_event):
    event = make_event(slug="gps-launch")
    with unit_of_work():
        questions.set_questions(db.session.merge(event), [role(), HEALTH])
    answer(event, "a@example.org", role="teacher", health="Asthma")
    return event


def exported(response) -> list[dict]:
    return list(csv.DictReader(io.StringIO(response.data.decode("utf-8-sig"))))


def actions() -> list[str]:
    db.session.expire_all()
    return list(db.session.scalars(select(AuditEntry.action).order_by(AuditEntry.id)))


def test_the_default_export_leaves_sensitive_answers_out(signed_in, event):
    rows = exported(signed_in.get("/organiser/events/gps-launch/registrations.csv"))
    assert rows[0]["Your role"] == "Teacher"
    assert "Health needs" not in rows[0]
    assert actions()[-1] == "registrations_exported"


@pytest.mark.parametrize("extension", ["csv", "xlsx"])
def test_the_explicit_choice_includes_them_and_is_audited(signed_in, event, extension):
    page = signed_in.get("/organiser/events/gps-launch/registrations")
    link = f"/organiser/events/gps-launch/registrations.{extension}?sensitive=1"
    assert link in page.text
    response = signed_in.get(link)
    assert response.status_code == 200
    if extension == "csv":
        assert exported(response)[0]["Health needs"] == "Asthma"
    entries = db.session.scalars(
        select(AuditEntry).where(AuditEntry.action == "registrations_exported_sensitive")
    ).all()
    assert [entry.details["format"] for entry in entries] == [extension]
    history = signed_in.get("/organiser/events/gps-launch")
    assert "Registrations exported with the sensitive answers" in history.text


def test_no_choice_is_offered_without_sensitive_questions(signed_in, make_event):
    event = make_event(slug="gps-launch")
    with unit_of_work():
        questions.set_questions(db.session.merge(event), [role()])
    page = signed_in.get("/organiser/events/gps-launch/registrations")
    assert "sensitive=1" not in page.text
