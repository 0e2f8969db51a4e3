"""Issue 16's "done when", in a browser: an organiser builds a registration form in the
workspace, without a file (a role question, an age-group multiple choice shown only to
teachers, a breakout choice with places, the accessibility question, in English and French);
a registrant answers it on a phone in French; the answers appear on the attendee page."""

import re

import pytest
from playwright.sync_api import expect

from eventsvc.extensions import db
from eventsvc.services import questions
from tests.browser.pages import (
    assert_no_horizontal_scroll,
    fill_registration,
    registration_form,
    sign_in,
    submit_registration,
)

pytestmark = pytest.mark.browser


def card(page, number: int):
    return page.locator("[data-question]").nth(number)


def add_question(page, kind: str) -> None:
    page.get_by_label("Type", exact=True).last.select_option(kind)
    page.get_by_role("button", name="Add the question").click()
    expect(page.locator(".flash-info, [role=status]").first).to_be_visible()


def texts(scope, what: str, en: str, fr: str) -> None:
    scope.get_by_label(f"{what} (English)", exact=True).fill(en)
    scope.get_by_label(f"{what} (French)", exact=True).fill(fr)


def options(scope, *rows) -> None:
    for number, (key, en, fr, places) in enumerate(rows, start=1):
        scope.get_by_label(f"Key of option {number}").fill(key)
        scope.get_by_label(f"Option {number}, label (English)").fill(en)
        scope.get_by_label(f"Option {number}, label (French)").fill(fr)
        if places:
            scope.get_by_label(f"Places for option {number}").fill(places)


def build_the_form(page) -> None:
    add_question(page, "single_choice")
    role = card(page, 0)
    role.get_by_label("Key", exact=True).fill("role")
    texts(role, "Label", "Your role", "Votre fonction")
    role.get_by_label("Required", exact=True).check()
    options(role, ("teacher", "Teacher", "Enseignant·e", ""), ("official", "Official", "Élu·e", ""))

    add_question(page, "multiple_choice")
    ages = card(page, 1)
    expect(card(page, 0).get_by_label("Key", exact=True)).to_have_value("role")  # kept
    ages.get_by_label("Key", exact=True).fill("age_group")
    texts(ages, "Label", "Age groups you work with", "Tranches d’âge de vos élèves")
    texts(ages, "Help", "Tick all that apply.", "Cochez tout ce qui s’applique.")
    options(ages, ("early", "0–8 years", "0–8 ans", ""), ("primary", "9–12 years", "9–12 ans", ""))
    ages.get_by_label("Show this question").select_option("role")
    ages.get_by_label("Teacher").check()

    add_question(page, "accessibility")
    add_question(page, "single_choice")
    breakout = card(page, 3)
    breakout.get_by_label("Key", exact=True).fill("breakout")
    texts(breakout, "Label", "Breakout group", "Atelier")
    options(
        breakout,
        ("play", "Learning through play", "Apprendre en jouant", "20"),
        ("policy", "Policy", "Politiques publiques", "30"),
    )
    breakout.get_by_role("button", name="Add an option").click()  # typed values kept
    expect(card(page, 3).get_by_label("Places for option 1")).to_have_value("20")
    card(page, 3).get_by_role("button", name="Remove (option 3)").click()
    # The accessibility question goes last, with the button that needs no script.
    card(page, 2).get_by_role("button", name=re.compile("^Move down")).click()
    expect(card(page, 3)).to_contain_text("Accessibility needs")


def test_an_organiser_builds_the_form_and_a_teacher_answers_it_on_a_phone(
    app, new_page, phone_page, organiser, gps_launch
):
    page = new_page()
    sign_in(page)
    page.goto(f"/organiser/events/{gps_launch.slug}")
    page.get_by_role("link", name="Registration form").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Registration form")

    build_the_form(page)
    # A mistake first: the French label of an option left empty is refused beside its field.
    card(page, 0).get_by_label("Option 2, label (French)").fill("")
    page.get_by_role("button", name="Save the form").last.click()
    missing = card(page, 0).get_by_label("Option 2, label (French)")
    expect(missing).to_have_attribute("aria-invalid", "true")
    expect(page.locator("#error-summary")).to_contain_text("Question 1")
    missing.fill("Élu·e")
    page.get_by_role("button", name="Save the form").last.click()
    summary = page.locator("#error-summary")
    assert summary.count() == 0, summary.inner_text()
    expect(page.locator(".flash-success, [role=status]").first).to_contain_text("saved")

    db.session.expire_all()
    keys = [item["key"] for item in questions.as_items(gps_launch)]
    assert keys == ["role", "age_group", "breakout", "accessibility"]

    phone = phone_page
    phone.goto(f"/fr/events/{gps_launch.slug}")
    form = registration_form(phone)
    ages = form.locator("[data-question=q-age_group]")
    expect(ages).to_be_hidden()  # shown to teachers only
    form.get_by_label("Enseignant·e").check()
    expect(ages).to_be_visible()
    expect(ages).to_contain_text("Tranches d’âge de vos élèves")
    ages.get_by_label("0–8 ans").check()
    ages.get_by_label("9–12 ans").check()
    form.get_by_label("Apprendre en jouant").check()
    form.locator("[name=q-accessibility][value=captions]").check()
    fill_registration(phone, full_name="Awa Ndiaye", email="awa.ndiaye@example.org")
    assert_no_horizontal_scroll(phone)
    submit_registration(phone)
    expect(registration_form(phone)).to_have_count(0)

    page.goto(f"/organiser/events/{gps_launch.slug}/registrations")
    row = page.get_by_role("row").filter(has_text="Awa Ndiaye")
    expect(row).to_contain_text("Teacher")
    expect(row).to_contain_text("0–8 years, 9–12 years")
    expect(row).to_contain_text("Learning through play")
    page.get_by_label("Answer").select_option("role:official")
    page.get_by_role("button", name="Apply").click()
    expect(page.get_by_role("row").filter(has_text="Awa Ndiaye")).to_have_count(0)


def test_questions_are_reordered_by_dragging_where_scripts_run(new_page, organiser, gps_launch):
    from eventsvc.unit_of_work import unit_of_work

    with unit_of_work():
        questions.set_questions(
            db.session.merge(gps_launch),
            [
                {"key": "city", "type": "text", "label": {"en": "City", "fr": "Ville"}},
                {"key": "phone", "type": "text", "label": {"en": "Phone", "fr": "Téléphone"}},
                {"key": "notes", "type": "long_text", "label": {"en": "Notes", "fr": "Notes"}},
            ],
        )
    page = new_page()
    sign_in(page)
    page.goto(f"/organiser/events/{gps_launch.slug}/form")
    handle = card(page, 2).locator("[data-drag-handle]")
    expect(handle).to_be_visible()  # shown by the script only
    # The drag events a pointer makes, dispatched to the script's handlers (headless Chromium
    # starts no native drag from synthetic mouse input): over the top half of the first card.
    page.evaluate(
        """() => {
        const cards = document.querySelectorAll("[data-question]");
        const handle = cards[2].querySelector("[data-drag-handle]");
        const data = new DataTransfer();
        const top = cards[0].getBoundingClientRect().top + 2;
        handle.dispatchEvent(new DragEvent("dragstart", {bubbles: true, dataTransfer: data}));
        cards[0].dispatchEvent(new DragEvent("dragover",
            {bubbles: true, cancelable: true, clientY: top, dataTransfer: data}));
        cards[0].dispatchEvent(new DragEvent("drop",
            {bubbles: true, cancelable: true, dataTransfer: data}));
        handle.dispatchEvent(new DragEvent("dragend", {bubbles: true, dataTransfer: data}));
    }"""
    )
    expect(card(page, 0).get_by_label("Key", exact=True)).to_have_value("notes")
    expect(card(page, 0).locator("[data-number]")).to_have_text("1")
    page.get_by_role("button", name="Save the form").last.click()
    expect(page.locator("[role=status]").first).to_contain_text("saved")
    db.session.expire_all()
    assert [item["key"] for item in questions.as_items(gps_launch)] == ["notes", "city", "phone"]
