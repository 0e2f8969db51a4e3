"""static/js/questions.js: a question with a condition shows only while it holds, and its
inputs are not posted while hidden (the server checks conditions anyway)."""

import pytest
from playwright.sync_api import expect

from eventsvc.extensions import db
from eventsvc.services import questions
from eventsvc.unit_of_work import unit_of_work
from tests.services.test_questions import age_groups, role

pytestmark = pytest.mark.browser


def test_conditional_questions_follow_the_answers(new_page, make_event):
    event = make_event(slug="gps")
    with unit_of_work():
        questions.set_questions(
            db.session.merge(event),
            [role(), age_groups(), {"key": "accessibility", "type": "accessibility"}],
        )
    page = new_page()
    page.goto("/en/events/gps")
    ages = page.locator("[data-question=q-age_groups]")
    expect(ages).to_be_hidden()
    page.get_by_label("Teacher").check()
    expect(ages).to_be_visible()
    page.get_by_label("Official").check()
    expect(ages).to_be_hidden()
    expect(page.locator("input[name=q-age_groups]").first).to_be_disabled()

    sign = page.locator("select[name=q-accessibility-sign]")
    expect(sign).to_be_hidden()
    page.get_by_label("Sign language interpretation").check()
    expect(sign).to_be_visible()
    expect(page.locator("input[name=q-accessibility-other]")).to_be_hidden()
