"""An attendee on a phone, in French: find the webinar, register, get the mail, cancel."""

import re

import pytest
from playwright.sync_api import expect
from sqlalchemy import select

from eventsvc.extensions import db
from eventsvc.models import Registration, RegistrationStatus
from tests.browser.pages import (
    assert_error_beside,
    assert_no_horizontal_scroll,
    field,
    fill_registration,
    registration_form,
    submit_registration,
)

pytestmark = pytest.mark.browser

GPS_TITLE_FR = "Lancement de la Stratégie de partenariat mondial pour la petite enfance"
GPS_TITLE_EN = "Launch of the Global Partnership Strategy for Early Childhood"


def registration_of(email: str) -> Registration | None:
    db.session.expire_all()
    return db.session.scalars(select(Registration).where(Registration.email == email)).first()


def test_french_phone_registration_recovers_from_mistakes(phone_page, gps_launch):
    page = phone_page
    page.goto("/fr/")
    expect(page.locator("html")).to_have_attribute("lang", "fr")
    assert_no_horizontal_scroll(page)

    page.get_by_role("link", name=GPS_TITLE_FR).first.click()
    expect(page).to_have_url(re.compile(r"/fr/events/gps-ecce-launch$"))
    expect(page.get_by_role("heading", level=1)).to_have_text(GPS_TITLE_FR)
    assert_no_horizontal_scroll(page)

    fill_registration(
        page,
        full_name="Awa Ndiaye",
        email="awa.ndiaye@omep-senegal",
        organisation="OMEP Sénégal",
        question_for_speakers="Quelle place pour les langues nationales ?",
        consent=False,
    )
    submit_registration(page)

    assert_error_beside(page, "email")
    assert_error_beside(page, "consent")
    expect(field(page, "full_name")).to_have_value("Awa Ndiaye")
    expect(field(page, "email")).to_have_value("awa.ndiaye@omep-senegal")
    expect(field(page, "organisation")).to_have_value("OMEP Sénégal")
    expect(field(page, "country")).to_have_value("SN")
    expect(field(page, "question_for_speakers")).to_have_value(
        "Quelle place pour les langues nationales ?"
    )
    expect(field(page, "full_name")).not_to_have_attribute("aria-invalid", "true")
    assert_no_horizontal_scroll(page)
    assert registration_of("awa.ndiaye@omep-senegal") is None

    field(page, "email").fill("awa.ndiaye@omep-senegal.org")
    field(page, "consent").check()
    submit_registration(page)

    expect(registration_form(page)).to_have_count(0)
    expect(page.locator("html")).to_have_attribute("lang", "fr")
    expect(page).to_have_url(re.compile(r"/fr/"))
    expect(page.get_by_role("heading", level=1)).to_be_visible()
    assert_no_horizontal_scroll(page)
    registration = registration_of("awa.ndiaye@omep-senegal.org")
    assert registration is not None
    assert registration.status == RegistrationStatus.CONFIRMED
    assert registration.language == "fr"
    assert registration.organisation == "OMEP Sénégal"


def test_language_switch_keeps_the_event_page(page, gps_launch):
    page.goto("/fr/events/gps-ecce-launch")
    expect(page.get_by_role("heading", level=1)).to_have_text(GPS_TITLE_FR)

    page.get_by_role("navigation").locator("a[hreflang=en]").click()

    expect(page).to_have_url(re.compile(r"/en/events/gps-ecce-launch$"))
    expect(page.locator("html")).to_have_attribute("lang", "en")
    expect(page.get_by_role("heading", level=1)).to_have_text(GPS_TITLE_EN)

    page.get_by_role("link", name="Français").click()
    expect(page).to_have_url(re.compile(r"/fr/events/gps-ecce-launch$"))


def test_manage_link_from_the_confirmation_mail_opens_and_cancels(
    app, phone_page, gps_launch, smtp, live_server
):
    page = phone_page
    page.goto("/fr/events/gps-ecce-launch")
    fill_registration(page, full_name="Mamadou Sow", email="mamadou.sow@example.org", country="ML")
    submit_registration(page)
    expect(registration_form(page)).to_have_count(0)

    link = manage_link_in_mail(app, smtp, "mamadou.sow@example.org", live_server.url)
    page.goto(link)
    expect(page.locator("html")).to_have_attribute("lang", "fr")
    expect(page.get_by_text("Mamadou Sow").first).to_be_visible()
    assert_no_horizontal_scroll(page)

    page.get_by_role("link", name=CANCEL).click()
    expect(page).to_have_url(re.compile(r"/fr/registrations/[^/]+/cancel$"))
    assert registration_of("mamadou.sow@example.org").status == RegistrationStatus.CONFIRMED
    page.get_by_role("button", name=CANCEL).click()

    expect(page).to_have_url(re.compile(r"/fr/registrations/[^/]+/cancelled$"))
    expect(page.get_by_role("heading", level=1)).to_be_visible()
    assert_no_horizontal_scroll(page)
    assert registration_of("mamadou.sow@example.org").status == RegistrationStatus.CANCELLED
    page.goto(link)
    expect(page.get_by_role("link", name=CANCEL)).to_have_count(0)


#: "Cancel my registration" / "Yes, cancel…", or their French translations.
CANCEL = re.compile(r"cancel|annul", re.IGNORECASE)


def manage_link_in_mail(app, smtp, address: str, base_url: str) -> str:
    """Send the queued mail to the sink and take the personal link out of its text part."""
    from eventsvc.mail.dispatcher import dispatch_due

    with app.app_context():
        dispatch_due()
    messages = smtp.to(address)
    assert messages, f"no mail reached {address}"
    text = messages[-1].get_body(preferencelist=("plain",)).get_content()
    match = re.search(re.escape(base_url) + r"/fr/registrations/[^\s>)\]]+", text)
    assert match, f"no /fr/registrations/ link in:\n{text}"
    return match.group(0)
