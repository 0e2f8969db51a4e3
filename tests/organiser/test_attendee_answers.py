"""The organiser's attendee list shows each registrant's answers to the event's questions,
sensitive ones marked (only the event's own organisers and admins reach the list)."""

from eventsvc.extensions import db
from eventsvc.services import questions
from eventsvc.unit_of_work import unit_of_work
from tests.public.html import page, text
from tests.services.test_questions import answer, role

URL = "/organiser/events/gps-launch/registrations"


def test_the_list_shows_answers_and_marks_sensitive_ones(signed_in, make_event):
    event = make_event(slug="gps-launch")
    health = {"key": "health", "type": "text", "label": {"en": "Health", "fr": "Santé"}}
    with unit_of_work():
        questions.set_questions(db.session.merge(event), [role(), {**health, "sensitive": True}])
    registration = answer(event, role="teacher", health="Asthma")
    row = page(signed_in.get(URL)).select_one(f"#registration-{registration.id}")
    answers = dict(
        zip(
            [text(dt) for dt in row.select(".answers-list dt")],
            [text(dd) for dd in row.select(".answers-list dd")],
            strict=True,
        )
    )
    assert answers == {"Your role": "Teacher", "Health sensitive": "Asthma"}


def test_an_organiser_of_another_event_sees_nothing(signed_in, make_event):
    from tests.factories import create_event

    other = create_event(slug="gps-launch")  # not assigned to the signed-in organiser
    with unit_of_work():
        questions.set_questions(db.session.merge(other), [role()])
    answer(other, role="teacher")
    assert signed_in.get(URL).status_code == 404
