"""The "Duplicate" button of the organiser's event page: a draft copy, opened in the editor."""

from sqlalchemy import select

from eventsvc.extensions import db
from eventsvc.models import Event, EventStatus
from eventsvc.services import questions
from eventsvc.unit_of_work import unit_of_work
from tests.factories import register_someone

BREAKOUT = {
    "key": "breakout",
    "type": "single_choice",
    "label": {"en": "Breakout group", "fr": "Groupe de travail"},
    "choices": [
        {"key": "policy", "label": {"en": "Policy", "fr": "Politiques"}, "places": 10},
        {"key": "practice", "label": {"en": "Practice", "fr": "Pratique"}},
    ],
}


def test_duplicate_opens_the_editor_of_a_draft_copy(organiser, make_event):
    source = make_event(slug="gps-launch", capacity=30)
    with unit_of_work():
        questions.set_questions(source, [BREAKOUT])
    register_someone(source)

    page = organiser.get("/organiser/events/gps-launch")
    assert 'action="/organiser/events/gps-launch/duplicate"' in page.text

    response = organiser.post("/organiser/events/gps-launch/duplicate")

    assert response.status_code == 302
    assert response.headers["Location"].endswith("/organiser/events/gps-launch-copy/edit")
    editor = organiser.get(response.headers["Location"])
    assert editor.status_code == 200
    assert 'value="gps-launch-copy"' in editor.text
    assert "Launch of gps-launch" in editor.text
    copy = db.session.scalar(select(Event).where(Event.slug == "gps-launch-copy"))
    assert copy.status == EventStatus.DRAFT
    assert copy.capacity == 30
    assert [q["key"] for q in questions.as_items(copy)] == ["breakout"]
    history = organiser.get("/organiser/events/gps-launch-copy").text
    assert "Created as a copy" in history
    assert "gps-launch" in history
    # The organiser who copied it sees it (assigned like the creator of a new event).
    assert organiser.get("/organiser/events/gps-launch-copy/form").status_code == 200


def test_duplicate_in_french(organiser, make_event):
    make_event(slug="gps-launch")

    french = {"Accept-Language": "fr"}
    response = organiser.post("/organiser/events/gps-launch/duplicate", headers=french)
    editor = organiser.get(response.headers["Location"], headers=french)

    assert editor.status_code == 200
    assert "copie en brouillon" in editor.text


def test_duplicate_is_a_post(organiser, make_event):
    make_event(slug="gps-launch")

    assert organiser.get("/organiser/events/gps-launch/duplicate").status_code == 405
    assert db.session.scalar(select(Event).where(Event.slug == "gps-launch-copy")) is None


def test_an_unknown_event_cannot_be_duplicated(organiser):
    assert organiser.post("/organiser/events/nothing-here/duplicate").status_code == 404


def test_a_copy_the_rules_refuse_is_reported_and_nothing_is_made(organiser, make_event):
    source = make_event(slug="gps-launch")
    with unit_of_work():
        questions.set_questions(source, [BREAKOUT])
    # Spanish became required after the questions were written in English and French only.
    source.required_locales = ["en", "fr", "es"]
    db.session.commit()

    response = organiser.post("/organiser/events/gps-launch/duplicate")

    assert response.status_code == 302
    assert response.headers["Location"].endswith("/organiser/events/gps-launch")
    assert db.session.scalar(select(Event).where(Event.slug == "gps-launch-copy")) is None
    page = organiser.get("/organiser/events/gps-launch").text
    notice = page[page.index('class="notice notice-error"') :]
    notice = notice[: notice.index("</p>")]
    assert "No copy was made" in notice and "form builder" in notice
