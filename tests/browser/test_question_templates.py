"""The question templates page in a browser: an organiser saves an event's questions as a
template in the form builder, follows the builder's link to the templates page, renames the
template in place and deletes it; the page passes axe and fits a phone."""

import pytest
from playwright.sync_api import expect

from eventsvc.extensions import db
from eventsvc.services import question_templates, questions
from eventsvc.unit_of_work import unit_of_work
from tests.browser.pages import PHONE, assert_no_horizontal_scroll, sign_in
from tests.services.test_questions import breakout, role

pytestmark = pytest.mark.browser


@pytest.fixture
def event_with_questions(gps_launch):
    with unit_of_work():
        questions.set_questions(db.session.merge(gps_launch), [role(), breakout()])
    return gps_launch


def test_a_template_saved_in_the_builder_is_renamed_and_deleted_on_its_page(
    new_page, axe, organiser, event_with_questions
):
    page = new_page()
    sign_in(page)
    page.goto(f"/organiser/events/{event_with_questions.slug}/form")
    page.get_by_label("Save the questions as they are saved now as a template named").fill(
        "Teachers"
    )
    page.get_by_role("button", name="Save as a template").click()
    expect(page.locator(".flash-success, [role=status]").first).to_contain_text("Teachers")

    page.get_by_role("link", name="Rename or delete the templates").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Question templates")
    row = page.locator("tr[data-template]")
    expect(row).to_have_count(1)
    expect(row.locator(".template-questions li")).to_have_text(["Your role", "Breakout group"])
    assert axe.blocking_violations(page) == []

    name = row.get_by_label("Name of the template “Teachers”")
    name.fill("Teachers' launch")
    row.get_by_role("button", name="Rename").click()
    expect(page.locator("main")).to_contain_text("The template is now named “Teachers' launch”.")
    expect(page.locator("tr[data-template] input[name=template_name]")).to_have_value(
        "Teachers' launch"
    )
    expect(page.locator(".audit-log")).to_contain_text("Question template renamed")

    page.get_by_role("button", name="Delete the template “Teachers' launch”").click()
    expect(page.locator("main")).to_contain_text("The template “Teachers' launch” is deleted")
    expect(page.locator("tr[data-template]")).to_have_count(0)
    expect(page.locator(".audit-log")).to_contain_text("Question template deleted")


def test_the_page_fits_a_phone(new_page, organiser, event_with_questions):
    with unit_of_work():
        question_templates.save_template(
            db.session.merge(event_with_questions), "Teachers' launch, breakout groups", None
        )
    page = new_page(viewport=PHONE, locale="fr-FR", is_mobile=True, has_touch=True)
    sign_in(page)
    page.goto("/organiser/question-templates")
    expect(page.get_by_role("heading", level=1)).to_have_text("Modèles de questions")
    assert_no_horizontal_scroll(page)
