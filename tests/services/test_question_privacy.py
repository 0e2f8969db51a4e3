"""Answers in erasure and retention: erased with the registration; sensitive answers erased
SENSITIVE_ANSWERS_RETENTION_DAYS after the event by the retention command."""

from datetime import timedelta

from sqlalchemy import func, select

from eventsvc.extensions import db
from eventsvc.models import Answer, AuditEntry
from eventsvc.services import privacy, questions
from eventsvc.unit_of_work import unit_of_work
from tests.services.test_questions import answer, role

HEALTH = {
    "key": "health",
    "type": "text",
    "label": {"en": "Health", "fr": "Santé"},
    "sensitive": True,
}


def setup(make_event):
    event = make_event()
    with unit_of_work():
        questions.set_questions(db.session.merge(event), [role(), HEALTH])
    return event, answer(event, role="teacher", health="Asthma")


def answers() -> int:
    return db.session.scalar(select(func.count(Answer.id)))


def test_erasing_a_registration_erases_its_answers(app, make_event):
    event, registration = setup(make_event)
    other = answer(event, email="b@example.org", role="ngo")
    with unit_of_work():
        privacy.erase_registration(db.session.merge(registration))
    assert questions.answers_for(registration) == {}
    assert questions.answers_for(other) == {"role": "ngo"}


def test_purging_past_registrations_erases_their_answers(app, make_event, frozen_clock):
    event, _registration = setup(make_event)
    frozen_clock.set(event.ends_at + timedelta(days=200))
    with unit_of_work():
        privacy.purge_past_registrations(timedelta(days=180))
    assert answers() == 0


def test_sensitive_answers_are_erased_days_after_the_event(app, make_event, frozen_clock, runner):
    app.config["SENSITIVE_ANSWERS_RETENTION_DAYS"] = 10
    event, registration = setup(make_event)
    frozen_clock.set(event.ends_at + timedelta(days=9))
    result = runner.invoke(args=["purge-registrations"])
    assert "Erased 0 sensitive answer(s)." in result.output
    assert questions.answers_for(registration) == {"role": "teacher", "health": "Asthma"}

    frozen_clock.set(event.ends_at + timedelta(days=11))
    result = runner.invoke(args=["purge-registrations"])
    assert result.exit_code == 0, result.output
    assert "Erased 1 sensitive answer(s)." in result.output
    db.session.expire_all()
    assert questions.answers_for(registration) == {"role": "teacher"}
    entry = db.session.scalar(
        select(AuditEntry).where(AuditEntry.action == "sensitive_answers_purged")
    )
    assert entry.event_id == event.id and entry.details["count"] == 1
