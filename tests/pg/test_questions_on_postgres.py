"""An event's own questions on PostgreSQL: places per option hold under parallel registrations
(the event lock is ``SELECT … FOR UPDATE``), and answers are typed and queryable there too."""

from concurrent.futures import ThreadPoolExecutor

from sqlalchemy import func, select

from eventsvc.extensions import db
from eventsvc.models import Answer, Event, Question, QuestionChoice
from eventsvc.models.question import answer_choice
from eventsvc.services import questions
from eventsvc.services.inputs.base import InputErrors
from eventsvc.services.inputs.registration import RegistrationInput
from eventsvc.services.registrations import register
from eventsvc.unit_of_work import unit_of_work
from tests.services.test_questions import breakout, every_type


def test_parallel_registrations_never_exceed_an_options_places_on_postgres(app, make_event):
    event = make_event()
    item = breakout()
    item["choices"][0]["places"] = 3
    with unit_of_work():
        questions.set_questions(db.session.merge(event), [item])
    event_id = event.id

    def register_one(n):
        with app.app_context():
            fresh = db.session.get(Event, event_id)
            data = RegistrationInput(
                full_name=f"Person {n}",
                email=f"person{n}@example.org",
                language="en",
                answers={"breakout": "policy"},
            )
            try:
                with unit_of_work():
                    register(fresh, data)
            except InputErrors as refused:
                return list(refused.errors)
            return "registered"

    with ThreadPoolExecutor(max_workers=8) as pool:
        outcomes = list(pool.map(register_one, range(24)))

    assert outcomes.count("registered") == 3
    assert outcomes.count(["q-breakout"]) == 21
    chosen = db.session.scalar(
        select(func.count())
        .select_from(answer_choice)
        .join(QuestionChoice, QuestionChoice.id == answer_choice.c.choice_id)
        .where(QuestionChoice.key == "policy")
    )
    assert chosen == 3


def test_every_type_is_stored_and_queryable_on_postgres(app, make_event):
    event = make_event()
    with unit_of_work():
        questions.set_questions(db.session.merge(event), every_type())
    for n, children in enumerate((5, 50, 500)):
        with unit_of_work():
            register(
                db.session.merge(event),
                RegistrationInput(
                    full_name="P",
                    email=f"p{n}@example.org",
                    language="en",
                    answers={"role": "teacher", "children": children, "photos": True},
                ),
            )
    many = db.session.scalar(
        select(func.count(Answer.id))
        .join(Question, Question.id == Answer.question_id)
        .where(Question.key == "children", Answer.number_value >= 50)
    )
    assert many == 2
