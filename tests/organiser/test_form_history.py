"""Saving the form builder leaves an entry in the event's history; a refused save does not."""

from sqlalchemy import select

from eventsvc.extensions import db
from eventsvc.models import AuditEntry
from eventsvc.services import audit
from tests.organiser.test_questions_builder import teachers_form, url


def form_entries(event) -> list[AuditEntry]:
    db.session.expire_all()
    query = (
        select(AuditEntry)
        .where(AuditEntry.event_id == event.id, AuditEntry.action == audit.FORM_SAVED)
        .order_by(AuditEntry.id)
    )
    return list(db.session.scalars(query))


def test_saving_the_form_is_in_the_history_with_who_and_what(
    organiser, organiser_account, make_event
):
    event = make_event()

    response = organiser.post(url(event), data=teachers_form())

    assert response.status_code == 302, response.text
    [entry] = form_entries(event)
    assert entry.organiser_id == organiser_account.id
    assert entry.details == {
        "questions": 4,
        "keys": ["role", "age_group", "breakout", "accessibility"],
    }
    page = organiser.get(f"/organiser/events/{event.slug}").text
    assert "Registration form saved" in page
    assert "Olga Organiser" in page
    french = organiser.get(
        f"/organiser/events/{event.slug}", headers={"Accept-Language": "fr"}
    ).text
    assert "Formulaire d’inscription enregistré" in french


def test_a_refused_save_and_the_page_only_buttons_record_nothing(organiser, make_event):
    event = make_event()
    bad = teachers_form()
    bad["questions[1].key"] = "Age Group!"

    assert organiser.post(url(event), data=bad).status_code == 422
    assert organiser.post(url(event), data=teachers_form(action="up:1")).status_code == 200

    assert form_entries(event) == []
