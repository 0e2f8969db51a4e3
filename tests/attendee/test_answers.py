"""The registrant's answers on their own page: shown, changed until registration closes, checked
as on the form."""

from sqlalchemy import select

from eventsvc.extensions import db
from eventsvc.models import Registration
from eventsvc.services import questions
from eventsvc.services.tokens import make_token
from eventsvc.unit_of_work import unit_of_work
from tests.public.html import page, text
from tests.services.test_questions import answer, breakout, role


def page_url(registration, lang="en", suffix=""):
    return f"/{lang}/registrations/{make_token(registration)}{suffix}"


def setup(make_event, **event):
    event = make_event(**event)
    with unit_of_work():
        questions.set_questions(
            db.session.merge(event),
            [role(), breakout(), {"key": "accessibility", "type": "accessibility"}],
        )
    registration = answer(
        event,
        role="official",
        breakout="policy",
        accessibility={"needs": ["sign_language"], "sign_language": "lsf", "other": ""},
    )
    return event, registration


def test_the_page_shows_the_answers_in_a_form_filled_in(client, make_event):
    _event, registration = setup(make_event)
    soup = page(client.get(page_url(registration, "fr")))
    form = soup.select_one("form.answers-form")
    assert form.select_one("input[name=q-role][value=official]").has_attr("checked")
    # Their own choice of a full option is not shown as full to them.
    policy = form.select_one("input[name=q-breakout][value=policy]")
    assert policy.has_attr("checked") and not policy.has_attr("disabled")
    assert form.select_one("select[name=q-accessibility-sign] option[value=lsf]").has_attr(
        "selected"
    )


def test_the_registrant_changes_their_answers(client, make_event):
    _event, registration = setup(make_event)
    token_page = page_url(registration)
    response = client.post(
        f"{token_page}/answers",
        data={"q-role": "teacher", "q-breakout": "practice", "q-accessibility": "captions"},
    )
    assert response.status_code == 303
    db.session.expire_all()
    assert questions.answers_for(db.session.get(Registration, registration.id)) == {
        "role": "teacher",
        "breakout": "practice",
        "accessibility": {"needs": ["captions"], "sign_language": "", "other": ""},
    }
    # The freed place can be taken by someone else.
    other = answer(_event, email="b@example.org", role="ngo", breakout="policy")
    assert questions.answers_for(other)["breakout"] == "policy"


def test_a_bad_answer_is_shown_and_nothing_changes(client, make_event):
    _event, registration = setup(make_event)
    response = client.post(
        f"{page_url(registration, 'fr')}/answers", data={"q-role": "", "q-breakout": "x"}
    )
    assert response.status_code == 400
    soup = page(response)
    assert "Répondez à cette question." in text(soup.select_one("#q-role-error"))
    assert "Ce choix n’est pas valide." in text(soup.select_one("#q-breakout-error"))
    db.session.expire_all()
    assert questions.answers_for(db.session.get(Registration, registration.id))["role"] == (
        "official"
    )


def test_a_full_option_is_refused(client, make_event):
    event, registration = setup(make_event)
    other = answer(event, email="b@example.org", role="ngo", breakout="practice")
    response = client.post(
        f"{page_url(other)}/answers", data={"q-role": "ngo", "q-breakout": "policy"}
    )
    assert response.status_code == 400
    assert "is full" in text(page(response).select_one("#q-breakout-error"))


def test_after_registration_closes_answers_are_shown_not_editable(client, make_event, frozen_clock):
    event, registration = setup(make_event, registration_closes="2026-12-06T13:00")
    frozen_clock.set(event.registration_closes_at)
    soup = page(client.get(page_url(registration)))
    assert not soup.select("form.answers-form")
    answers = dict(
        zip(
            [text(dt) for dt in soup.select(".answers-list dt")],
            [text(dd) for dd in soup.select(".answers-list dd")],
            strict=True,
        )
    )
    assert answers["Your role"] == "Official"
    assert answers["Accessibility needs (optional)"] == (
        "Sign language interpretation (French Sign Language (LSF))"
    )
    response = client.post(f"{page_url(registration)}/answers", data={"q-role": "ngo"})
    assert response.status_code == 303
    db.session.expire_all()
    stored = db.session.scalar(select(Registration).where(Registration.id == registration.id))
    assert questions.answers_for(stored)["role"] == "official"
