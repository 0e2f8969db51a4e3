"""The event's own questions on the public form: every type shown and answered, conditions
checked by the server, places per option, and every bad input answered with a field error in
the page's language and no row."""

from datetime import date

import pytest
from sqlalchemy import func, select

from eventsvc.extensions import db
from eventsvc.models import Answer, Registration
from eventsvc.services import questions
from eventsvc.unit_of_work import unit_of_work
from tests.public.html import page, text
from tests.services.test_questions import every_type


@pytest.fixture
def event(app, make_event):
    event = make_event(slug="gps")
    with unit_of_work():
        questions.set_questions(db.session.merge(event), every_type())
    return event


def answered(**answers) -> dict:
    """Valid answers to every required question (``None`` removes one)."""
    data = {"q-role": "official", "q-photos": "y", **answers}
    return {key: value for key, value in data.items() if value is not None}


def post(client, form_data, lang="en", **answers):
    return client.post(
        f"/{lang}/events/gps/register", data={**form_data(language=lang), **answered(**answers)}
    )


def stored(event) -> int:
    db.session.expire_all()
    return db.session.scalar(
        select(func.count(Registration.id)).where(Registration.event_id == event.id)
    )


def answer_rows() -> int:
    return db.session.scalar(select(func.count(Answer.id)))


def errors(response) -> dict[str, str]:
    soup = page(response)
    return {
        element["id"].removesuffix("-error"): text(element)
        for element in soup.select(".error-message")
    }


def test_the_form_shows_every_type_in_the_page_language(client, event):
    soup = page(client.get("/fr/events/gps"))
    form = soup.select_one("form.registration-form")
    assert text(form.select_one("[data-question=q-role] legend")).startswith("Votre fonction")
    assert [i["value"] for i in form.select("input[name=q-role]")] == [
        "teacher",
        "official",
        "ngo",
    ]
    assert form.select("input[name=q-age_groups][type=checkbox]")
    age = form.select_one("[data-question=q-age_groups]")
    assert (age["data-show-if"], age["data-show-if-in"]) == ("q-role", "teacher")
    assert form.select_one("input[name=q-children]")["max"] == "500"
    assert form.select_one("input[name=q-born]")["type"] == "date"
    assert form.select_one("select[name=q-region] option[value=SN]")
    assert form.select_one("textarea[name=q-story]")
    assert [i["value"] for i in form.select("input[name=q-first_time]")] == ["yes", "no"]
    access = form.select_one("[data-question=q-accessibility]")
    assert "Besoins d’accessibilité" in text(access.legend)
    assert "Langue des signes française (LSF)" in text(access)
    assert [i["value"] for i in access.select("input[name=q-accessibility]")] == [
        "captions",
        "sign_language",
        "other",
    ]
    assert form.select_one("input[name=q-accessibility-other]")
    # Conditions are helped by a script (the server checks them anyway).
    assert soup.select_one('script[src="/static/js/questions.js"]')
    # The questions come before the consent box.
    names = [i.get("name") for i in form.select("input, select, textarea")]
    assert names.index("q-photos") < names.index("consent")


def test_many_options_are_a_drop_down_list(client, make_event):
    event = make_event(slug="gps")
    choices = [{"key": f"c{n}", "label": {"en": f"C{n}", "fr": f"C{n}"}} for n in range(7)]
    with unit_of_work():
        questions.set_questions(
            db.session.merge(event),
            [
                {
                    "key": "region",
                    "type": "single_choice",
                    "label": {"en": "R", "fr": "R"},
                    "choices": choices,
                }
            ],
        )
    soup = page(client.get("/en/events/gps"))
    assert len(soup.select("select[name=q-region] option")) == 8


def test_answers_are_stored(client, event, form_data):
    response = post(
        client,
        form_data,
        **{
            "q-role": "teacher",
            "q-age_groups": ["under3", "age3to6"],
            "q-breakout": "policy",
            "q-ministry": " Education ",
            "q-story": "Line one\nLine two",
            "q-first_time": "no",
            "q-children": "25",
            "q-born": "1990-05-01",
            "q-region": "sn",
            "q-accessibility": ["captions", "sign_language", "other"],
            "q-accessibility-sign": "lsf",
            "q-accessibility-other": "A quiet room",
            "q-unknown": "ignored",
        },
    )
    assert response.status_code == 303, errors(response)
    registration = db.session.scalar(select(Registration))
    assert questions.answers_for(registration) == {
        "role": "teacher",
        "age_groups": ["under3", "age3to6"],
        "breakout": "policy",
        "ministry": "Education",
        "story": "Line one\nLine two",
        "first_time": False,
        "children": 25,
        "born": date(1990, 5, 1),
        "region": "SN",
        "photos": True,
        "accessibility": {
            "needs": ["captions", "sign_language", "other"],
            "sign_language": "lsf",
            "other": "A quiet room",
        },
    }


def test_a_hidden_question_is_not_required_and_its_answer_is_refused(client, event, form_data):
    required_age = every_type()
    required_age[1]["required"] = True
    with unit_of_work():
        questions.set_questions(db.session.merge(event), required_age)
    # Not a teacher: the required age-group question is hidden, so not required.
    assert post(client, form_data, **{"q-role": "official"}).status_code == 303
    # Not a teacher but answering it: a field error, nothing stored.
    response = post(
        client, form_data, **{"q-role": "ngo", "q-age_groups": "under3"}, email="b@example.org"
    )
    assert response.status_code == 400
    assert "does not apply" in errors(response)["q-age_groups"]
    # A teacher must answer it.
    response = post(client, form_data, **{"q-role": "teacher"}, email="c@example.org")
    assert errors(response)["q-age_groups"].endswith("Answer this question.")
    assert stored(event) == 1


@pytest.mark.parametrize(
    ("answers", "field", "message"),
    [
        ({"q-role": None}, "q-role", "Répondez à cette question."),
        ({"q-photos": None}, "q-photos", "Répondez à cette question."),
        ({"q-role": "astronaut"}, "q-role", "Ce choix n’est pas valide."),
        ({"q-breakout": "retired_or_not"}, "q-breakout", "Ce choix n’est pas valide."),
        ({"q-children": "501"}, "q-children", "Indiquez un nombre de 0 à 500."),
        ({"q-children": "-1"}, "q-children", "Indiquez un nombre de 0 à 500."),
        ({"q-children": "douze"}, "q-children", "Indiquez un nombre entier."),
        ({"q-born": "01/05/1990"}, "q-born", "AAAA-MM-JJ"),
        ({"q-ministry": "x" * 301}, "q-ministry", "300"),
        ({"q-story": "x" * 4001}, "q-story", "4000"),
        ({"q-region": "XX"}, "q-region", "Ce choix n’est pas valide."),
        ({"q-first_time": "maybe"}, "q-first_time", "Ce choix n’est pas valide."),
        ({"q-accessibility": "braille"}, "q-accessibility", "Ce choix n’est pas valide."),
        ({"q-accessibility": "sign_language"}, "q-accessibility", "langue des signes"),
        (
            {"q-accessibility": "sign_language", "q-accessibility-sign": "klingon"},
            "q-accessibility",
            "Ce choix n’est pas valide.",
        ),
    ],
)
def test_bad_answers_get_a_field_error_in_the_page_language_and_no_row(
    client, event, form_data, answers, field, message
):
    response = post(client, form_data, lang="fr", **answers)
    assert response.status_code == 400
    assert message in errors(response)[field]
    assert stored(event) == 0
    assert answer_rows() == 0
    summary = page(response).select_one(".error-summary")
    assert summary.select_one(f'a[href^="#{field}"]')


def test_what_was_typed_is_kept_after_an_error(client, event, form_data):
    response = post(client, form_data, **{"q-ministry": "Education", "q-role": None})
    soup = page(response)
    assert soup.select_one("input[name=q-ministry]")["value"] == "Education"


def test_a_full_option_is_shown_full_and_refused(client, event, form_data):
    assert post(client, form_data, **{"q-breakout": "policy"}).status_code == 303
    soup = page(client.get("/en/events/gps"))
    policy = soup.select_one("input[name=q-breakout][value=policy]")
    assert policy.has_attr("disabled")
    assert "(full)" in text(soup.select_one(f"label[for={policy['id']}]"))
    response = post(client, form_data, email="late@example.org", **{"q-breakout": "policy"})
    assert response.status_code == 409
    assert "“Policy” is full. Choose another option." in errors(response)["q-breakout"]
    assert stored(event) == 1
    assert (
        post(client, form_data, email="late@example.org", **{"q-breakout": "practice"}).status_code
        == 303
    )


def test_a_cancelled_registration_frees_its_option(client, app, event, form_data):
    from eventsvc.services import registrations

    post(client, form_data, **{"q-breakout": "policy"})
    with unit_of_work():
        registrations.cancel(db.session.scalar(select(Registration)))
    assert (
        post(client, form_data, email="next@example.org", **{"q-breakout": "policy"}).status_code
        == 303
    )


def test_a_retired_question_or_option_is_not_asked(client, event, form_data):
    items = every_type()
    items[0]["choices"][2]["retired"] = True
    items[4]["retired"] = True
    with unit_of_work():
        questions.set_questions(db.session.merge(event), items)
    soup = page(client.get("/en/events/gps"))
    assert not soup.select("[name=q-story]")
    assert not soup.select("input[name=q-role][value=ngo]")
    response = post(client, form_data, **{"q-role": "ngo", "q-story": "x"})
    assert "q-role" in errors(response)
    assert "q-story" not in errors(response)


def test_places_given_after_the_page_was_seen_are_counted(client, make_event, form_data):
    """The page of an event without places skips the places query once it has looked
    (``questions.full_choice_ids``): giving an option places is a new version of the event, so
    the next view asks again and shows the option full."""
    bare = make_event(slug="gps")
    assert page(client.get("/en/events/gps")).select_one("input[name=q-breakout]") is None
    assert page(client.get("/en/events/gps")).select_one("input[name=q-breakout]") is None
    with unit_of_work():
        questions.set_questions(db.session.merge(bare), every_type())

    assert post(client, form_data, **{"q-breakout": "policy"}).status_code == 303
    policy = page(client.get("/en/events/gps")).select_one("input[name=q-breakout][value=policy]")
    assert policy.has_attr("disabled")
