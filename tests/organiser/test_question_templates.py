"""The question templates page: every saved template listed with its questions, renamed and
deleted by whoever may save one, each change audited, linked from the form builder, in the
organiser's language."""

import pytest
from sqlalchemy import select

from eventsvc.extensions import db
from eventsvc.models import AuditEntry
from eventsvc.models.question_template import QuestionTemplate
from eventsvc.services import question_templates, questions
from eventsvc.unit_of_work import unit_of_work
from tests import factories
from tests.public.html import page, text
from tests.services.test_questions import breakout, role

LIST = "/organiser/question-templates"


def saved(event, name, items=None):
    with unit_of_work():
        event = db.session.merge(event)
        questions.set_questions(event, items or [role(), breakout()])
        template = question_templates.save_template(event, name, None)
        return template.id


def template(template_id):
    db.session.expire_all()
    return db.session.get(QuestionTemplate, template_id)


def audited():
    db.session.expire_all()
    return [
        (entry.action, entry.details)
        for entry in db.session.scalars(select(AuditEntry).order_by(AuditEntry.id))
        if entry.action.startswith("question_template")
    ]


def test_the_builder_links_to_the_page_which_lists_each_template_with_its_questions(
    organiser, make_event
):
    event = make_event()
    saved(
        event,
        "Teachers' launch",
        [role(), breakout(), {"key": "accessibility", "type": "accessibility"}],
    )
    builder = page(organiser.get(f"/organiser/events/{event.slug}/form"))
    link = builder.select_one(f".question-templates a[href='{LIST}']")
    assert link is not None and "Rename or delete" in text(link)
    response = organiser.get(LIST)
    assert response.status_code == 200
    row = page(response).select_one("tr[data-template]")
    assert row.select_one("input[name=template_name]")["value"] == "Teachers' launch"
    assert [text(li) for li in row.select(".template-questions li")] == [
        "Your role",
        "Breakout group",
        "Accessibility needs (optional)",
    ]
    assert "3 questions" in text(row)


def test_a_template_is_renamed_and_the_renaming_audited(organiser, make_event):
    template_id = saved(make_event(), "Teachers")
    response = organiser.post(
        f"{LIST}/{template_id}/rename", data={"template_name": "  Teachers'   launch "}
    )
    assert response.status_code == 302
    assert template(template_id).name == "Teachers' launch"
    assert audited()[-1] == (
        "question_template_renamed",
        {"template": "Teachers' launch", "previous": "Teachers"},
    )
    history = page(organiser.get(LIST)).select_one(".audit-log tbody tr")
    assert "Question template renamed" in text(history) and "was “Teachers”" in text(history)


@pytest.mark.parametrize(
    ("name", "message"),
    [("", "Give the template a name."), ("Policy", "Another template already has this name")],
)
def test_a_refused_name_is_shown_on_its_row_and_nothing_changes(
    organiser, make_event, name, message
):
    event = make_event()
    first = saved(event, "Teachers")
    saved(event, "Policy")
    before = audited()
    response = organiser.post(f"{LIST}/{first}/rename", data={"template_name": name})
    assert response.status_code == 422
    row = page(response).select_one(f"tr[data-template='{first}']")
    assert message in text(row.select_one(f"#template-name-{first}-error"))
    assert row.select_one("input[name=template_name]")["aria-invalid"] == "true"
    assert template(first).name == "Teachers"
    assert audited() == before


def test_a_deleted_template_is_gone_and_the_events_keep_their_questions(organiser, make_event):
    event = make_event()
    template_id = saved(event, "Teachers")
    response = organiser.post(f"{LIST}/{template_id}/delete")
    assert response.status_code == 302
    assert template(template_id) is None
    assert [item["key"] for item in questions.as_items(event)] == ["role", "breakout"]
    assert audited()[-1] == ("question_template_deleted", {"template": "Teachers", "questions": 2})
    listing = organiser.get(LIST)
    assert "No template has been saved yet." in listing.text
    again = organiser.post(f"{LIST}/{template_id}/delete", follow_redirects=True)
    assert again.status_code == 200 and "This template no longer exists." in again.text


def test_who_may_save_templates_may_manage_them(app, organiser, admin, make_event):
    """A plain organiser with no event cannot save a template (no form is theirs), so cannot
    rename or delete one either; once assigned to an event, they can; admins always."""
    other = factories.create_event()
    template_id = saved(other, "Teachers")
    assert organiser.get(LIST).status_code == 403
    renamed = organiser.post(f"{LIST}/{template_id}/rename", data={"template_name": "X"})
    assert renamed.status_code == 403
    assert organiser.post(f"{LIST}/{template_id}/delete").status_code == 403
    assert template(template_id).name == "Teachers"
    assert admin.get(LIST).status_code == 200
    make_event()  # assigned to the plain organiser
    assert organiser.get(LIST).status_code == 200


def test_signed_out_visitors_are_sent_to_sign_in(app, client):
    response = client.get(LIST)
    assert response.status_code == 302 and "/organiser/login" in response.headers["Location"]


def test_the_page_speaks_french(organiser, make_event):
    saved(make_event(), "Enseignants")
    response = organiser.get(LIST, headers={"Accept-Language": "fr"})
    soup = page(response)
    assert text(soup.select_one("h1")) == "Modèles de questions"
    assert "Votre fonction" in text(soup.select_one(".template-questions"))
