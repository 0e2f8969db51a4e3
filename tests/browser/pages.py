"""What the browser tests do on the pages, in the words of the pages' users.

Fields are found by the names the issues fix (``full_name``, ``email``…) so that the French
pages are driven the same way before and after the catalogues are translated; buttons and links
by their role.
"""

import re

from playwright.sync_api import Locator, Page, expect

PHONE = {"width": 360, "height": 740}
DESKTOP = {"width": 1280, "height": 800}
ORGANISER_EMAIL = "amina.diallo@omep.example"
ORGANISER_PASSWORD = "correct horse battery staple"


def registration_form(page: Page) -> Locator:
    return page.locator("form").filter(has=page.locator("[name=full_name]"))


def field(page: Page, name: str) -> Locator:
    return registration_form(page).locator(f"[name={name}]").first


def fill_registration(
    page: Page,
    *,
    full_name: str,
    email: str,
    country: str = "SN",
    organisation: str = "",
    question_for_speakers: str = "",
    consent: bool = True,
) -> None:
    field(page, "full_name").fill(full_name)
    field(page, "email").fill(email)
    if organisation:
        field(page, "organisation").fill(organisation)
    field(page, "country").select_option(country)
    if question_for_speakers:
        field(page, "question_for_speakers").fill(question_for_speakers)
    consent_box = field(page, "consent")
    if consent:
        consent_box.check()
    else:
        consent_box.uncheck()


def submit_registration(page: Page) -> None:
    """Press the form's only button ("Register", or "Join the waitlist" when full)."""
    registration_form(page).get_by_role("button").click()
    page.wait_for_load_state()


def description_of(page: Page, control: Locator) -> str:
    """The text the control's ``aria-describedby`` points at (its hint and error)."""
    ids = (control.get_attribute("aria-describedby") or "").split()
    return " ".join(page.locator(f"[id='{ident}']").inner_text().strip() for ident in ids)


def assert_error_beside(page: Page, name: str) -> str:
    """The field is marked invalid and its error is shown and tied to it; returns the error."""
    control = field(page, name)
    expect(control).to_have_attribute("aria-invalid", "true")
    ids = (control.get_attribute("aria-describedby") or "").split()
    assert ids, f"{name}: no aria-describedby on the invalid field"
    visible = [page.locator(f"[id='{ident}']") for ident in ids]
    assert any(element.is_visible() for element in visible), f"{name}: error not shown"
    text = description_of(page, control)
    assert text, f"{name}: the described-by elements are empty"
    return text


def assert_no_horizontal_scroll(page: Page) -> None:
    widths = page.evaluate(
        "() => [document.documentElement.scrollWidth, document.documentElement.clientWidth]"
    )
    assert widths[0] <= widths[1], f"{page.url} scrolls sideways: {widths[0]}px > {widths[1]}px"


def sign_in(page: Page, email: str = ORGANISER_EMAIL, password: str = ORGANISER_PASSWORD) -> None:
    page.goto("/organiser/login")
    page.locator("[name=email]").fill(email)
    page.locator("[name=password]").fill(password)
    page.locator("form").filter(has=page.locator("[name=password]")).get_by_role("button").click()
    page.wait_for_load_state()
    expect(page).not_to_have_url(re.compile(r"/organiser/login"))
