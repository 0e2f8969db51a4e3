"""The registration form builder in the workspace (issue 16): an organiser builds an event's
questions without a file, every change goes through ``questions.set_questions``, errors come
back on their fields in the page's language, nothing typed is lost and nothing is a 500."""

import re

import pytest
from sqlalchemy import select

from eventsvc.extensions import db
from eventsvc.models import AuditEntry, EventStatus
from eventsvc.models.question_template import QuestionTemplate
from eventsvc.services import questions
from eventsvc.unit_of_work import unit_of_work


def url(event, tail=""):
    return f"/organiser/events/{event.slug}/form{tail}"


def choice(prefix, j, key, en, fr, places=""):
    return {
        f"{prefix}.choices[{j}].key": key,
        f"{prefix}.choices[{j}].label.en": en,
        f"{prefix}.choices[{j}].label.fr": fr,
        f"{prefix}.choices[{j}].places": places,
    }


def question(i, key, kind, en, fr, **extra):
    p = f"questions[{i}]"
    fields = {
        f"{p}.position": str(i),
        f"{p}.key": key,
        f"{p}.type": kind,
        f"{p}.label.en": en,
        f"{p}.label.fr": fr,
        f"{p}.help.en": "",
        f"{p}.help.fr": "",
    }
    fields.update({f"{p}.{name}": value for name, value in extra.items()})
    return fields


def teachers_form(**overrides) -> dict:
    """The issue's form: role, age groups shown to teachers only, a breakout with places and
    the built-in accessibility question, in English and French."""
    data = {"action": "save"}
    data |= question(0, "role", "single_choice", "Your role", "Votre rôle", required="1")
    data |= choice("questions[0]", 0, "teacher", "Teacher", "Enseignant·e")
    data |= choice("questions[0]", 1, "official", "Official", "Fonctionnaire")
    data |= question(1, "age_group", "multiple_choice", "Age groups", "Tranches d’âge")
    data |= choice("questions[1]", 0, "early", "0–8 years", "0–8 ans")
    data |= choice("questions[1]", 1, "primary", "9–12 years", "9–12 ans")
    data["questions[1].show_if.question"] = "role"
    data["questions[1].show_if.in"] = "role:teacher"
    data |= question(2, "breakout", "single_choice", "Breakout group", "Atelier")
    data |= choice("questions[2]", 0, "play", "Play", "Jeu", places="20")
    data |= choice("questions[2]", 1, "policy", "Policy", "Politiques", places="")
    data |= {
        "questions[3].position": "3",
        "questions[3].key": "accessibility",
        "questions[3].type": "accessibility",
        "questions[3].sensitive": "1",
    }
    data.update(overrides)
    return {key: value for key, value in data.items() if value is not None}


def fresh(event):
    db.session.expire_all()
    return questions.as_items(event)


def test_the_event_page_links_to_the_builder(organiser, make_event):
    event = make_event()
    page = organiser.get(f"/organiser/events/{event.slug}")
    assert url(event) in page.text
    empty = organiser.get(url(event))
    assert empty.status_code == 200
    assert 'id="no-questions"' in empty.text


def test_an_organiser_builds_the_issues_form(organiser, make_event):
    event = make_event()
    response = organiser.post(url(event), data=teachers_form())
    assert response.status_code == 302, response.text
    items = fresh(event)
    assert [item["key"] for item in items] == ["role", "age_group", "breakout", "accessibility"]
    assert items[0]["label"] == {"en": "Your role", "fr": "Votre rôle"}
    assert items[0]["required"] is True
    assert items[1]["show_if"] == {"question": "role", "in": ["teacher"]}
    assert [c.get("places") for c in items[2]["choices"]] == [20, None]
    assert items[3]["type"] == "accessibility" and items[3].get("sensitive") is True
    page = organiser.get(url(event))
    assert 'value="Tranches d’âge"' in page.text
    assert 'value="role:teacher" checked' in page.text


def test_the_buttons_change_the_page_without_saving_or_losing_what_was_typed(organiser, make_event):
    event = make_event()
    added = organiser.post(url(event), data={"action": "add", "new_type": "multiple_choice"})
    assert added.status_code == 200
    assert 'name="questions[0].choices[1].key"' in added.text
    assert fresh(event) == []
    typed = teachers_form(action="down:0")
    moved = organiser.post(url(event), data=typed)
    assert moved.status_code == 200
    keys = re.findall(r'name="questions\[(\d+)\]\.key" value="(\w+)"', moved.text)
    assert keys[:2] == [("0", "age_group"), ("1", "role")]
    assert 'value="Atelier"' in moved.text
    assert fresh(event) == []
    more = organiser.post(url(event), data=teachers_form(action="add-choice:2"))
    assert 'name="questions[2].choices[2].key"' in more.text
    fewer = organiser.post(url(event), data=teachers_form(action="remove-choice:2:0"))
    assert 'value="play"' not in fewer.text and 'value="policy"' in fewer.text
    gone = organiser.post(url(event), data=teachers_form(action="delete:2"))
    assert 'value="breakout"' not in gone.text
    assert fresh(event) == []


def test_a_script_s_positions_set_the_order(organiser, make_event):
    event = make_event()
    data = teachers_form()
    data["questions[2].position"], data["questions[3].position"] = "3", "2"
    assert organiser.post(url(event), data=data).status_code == 302
    assert [item["key"] for item in fresh(event)][2:] == ["accessibility", "breakout"]


def test_errors_come_on_their_fields_in_the_page_s_language(organiser, make_event):
    event = make_event()
    data = teachers_form()
    data["questions[0].label.fr"] = ""
    data["questions[2].choices[0].label.fr"] = ""
    data["questions[2].choices[1].places"] = "vingt"
    data["questions[1].key"] = "Age Group!"
    response = organiser.post(url(event), data=data, headers={"Accept-Language": "fr"})
    assert response.status_code == 422
    html = response.text
    summary = html[html.index('id="error-summary"') :]
    summary = summary[: summary.index("</div>")]
    links = re.findall(r'<a href="#([\w-]+)">', summary)
    assert "questions-0-label-fr" in links
    assert "questions-2-choices-0-label-fr" in links
    assert "questions-2-choices-1-places" in links
    assert "questions-1-key" in links
    assert 'id="questions-0-label-fr-error"' in html
    assert "Question 1\u00a0: " in summary  # the page is in French
    assert 'value="vingt"' in html and 'value="Age Group!"' in html  # nothing lost
    assert 'value="Your role"' in html
    assert fresh(event) == []


@pytest.mark.parametrize(
    "data",
    [
        {"action": "save", "questions[0].key": "x" * 5000, "questions[0].type": "nonsense"},
        {"action": "save", "questions[0].type": "number", "questions[0].min": "1e999"},
        {"action": "save", "questions[9999].key": "a", "questions[0.5].key": "b"},
        {"action": "up:99999999999999999999"},
        {"action": "remove-choice:0:x"},
        {"action": "save", "questions[0].show_if.in": "::"},
        {"action": "explode"},
    ],
)
def test_odd_posts_are_answered_never_a_500(organiser, make_event, data):
    event = make_event()
    response = organiser.post(url(event), data=data)
    assert response.status_code in (200, 302, 422)
    assert fresh(event) == []


def test_retire_and_un_retire(organiser, make_event):
    event = make_event()
    organiser.post(url(event), data=teachers_form())
    retired = teachers_form()
    retired["questions[2].retired"] = "1"
    retired["questions[0].choices[1].retired"] = "1"
    assert organiser.post(url(event), data=retired).status_code == 302
    items = fresh(event)
    assert items[2].get("retired") is True
    assert items[0]["choices"][1].get("retired") is True
    assert organiser.post(url(event), data=teachers_form()).status_code == 302
    assert not fresh(event)[2].get("retired")


def test_another_organiser_s_event_is_not_found(organiser, app):
    from tests import factories

    other = factories.create_event()
    assert organiser.get(url(other)).status_code == 404
    assert organiser.post(url(other), data=teachers_form()).status_code == 404


def test_templates_are_saved_and_applied_to_another_event(organiser, make_event):
    source, target = make_event(), make_event()
    organiser.post(url(source), data=teachers_form())
    refused = organiser.post(url(source, "/template"), data={"template_name": "  "})
    assert refused.status_code == 422 and 'id="template-name-error"' in refused.text
    saved = organiser.post(url(source, "/template"), data={"template_name": "Teachers' launch"})
    assert saved.status_code == 302
    template = db.session.scalar(select(QuestionTemplate))
    assert [item["key"] for item in template.items][0] == "role"
    applied = organiser.post(url(target, "/apply"), data={"template": str(template.id)})
    assert applied.status_code == 302
    assert [item["key"] for item in fresh(target)] == [item["key"] for item in template.items]
    again = organiser.post(url(target, "/apply"), data={"template": str(template.id)})
    assert again.status_code == 302
    assert len(fresh(target)) == len(template.items)
    actions = set(db.session.scalars(select(AuditEntry.action)))
    assert {"question_template_saved", "question_template_applied"} <= actions
    missing = organiser.post(url(target, "/apply"), data={"template": "999999"})
    assert missing.status_code == 302


def test_a_template_missing_a_language_the_event_requires_is_completed_on_the_page(
    organiser, make_event
):
    source, target = make_event(), make_event()
    source.required_locales, target.required_locales = ["en"], ["en", "fr"]
    db.session.commit()
    with unit_of_work():
        questions.set_questions(source, [{"key": "city", "type": "text", "label": {"en": "City"}}])
    organiser.post(url(source, "/template"), data={"template_name": "English"})
    template = db.session.scalar(select(QuestionTemplate))
    response = organiser.post(url(target, "/apply"), data={"template": str(template.id)})
    assert response.status_code == 422
    assert 'value="City"' in response.text
    assert 'id="questions-0-label-fr-error"' in response.text
    assert fresh(target) == []


@pytest.mark.parametrize(("lang", "label"), [("en", "Your role"), ("fr", "Votre rôle")])
def test_the_preview_shows_the_saved_questions_in_each_language(organiser, make_event, lang, label):
    event = make_event(status=EventStatus.DRAFT)
    organiser.post(url(event), data=teachers_form())
    builder = organiser.get(url(event))
    preview = f"/organiser/events/{event.slug}/preview/{lang}"
    assert f'href="{preview}#register"' in builder.text
    page = organiser.get(preview)
    assert page.status_code == 200
    assert 'data-question="q-role"' in page.text and label in page.text
    assert '<fieldset disabled class="form-preview">' in page.text  # read-only
    assert "questions.js" not in page.text  # every question shown, the conditional ones too
