"""axe-core finds no serious or critical problem on the pages people use most, in each shipped
language (English, French, Spanish)."""

import pytest
from playwright.sync_api import expect

from eventsvc.services.tokens import make_token
from tests.browser.axe import describe
from tests.browser.pages import (
    PHONE,
    fill_registration,
    registration_form,
    sign_in,
    submit_registration,
)

pytestmark = pytest.mark.browser

BROWSER_LOCALES = {"en": "en-GB", "fr": "fr-FR", "es": "es-419"}


def check_all(axe, page, checks) -> None:
    """Run every check, then fail once with every page's violations."""
    report = []
    for label, show in checks:
        show()
        found = axe.blocking_violations(page)
        if found:
            report.append(f"{label} ({page.url}):\n{describe(found)}")
    assert not report, "axe found serious or critical violations:\n\n" + "\n\n".join(report)


@pytest.mark.parametrize("lang", ["en", "fr", "es"])
def test_public_pages_have_no_serious_accessibility_violations(
    new_page, axe, gps_launch, make_registration, lang
):
    page = new_page(locale=BROWSER_LOCALES[lang])
    event_path = f"/{lang}/events/{gps_launch.slug}"
    registration = make_registration(gps_launch, language=lang)
    manage_path = f"/{lang}/registrations/{make_token(registration)}"

    def form_with_errors():
        page.goto(event_path)
        fill_registration(page, full_name="Awa Ndiaye", email="awa@omep-senegal", consent=False)
        submit_registration(page)
        expect(page.locator("[aria-invalid=true]").first).to_be_visible()

    def thank_you():
        page.goto(event_path)
        fill_registration(page, full_name="Awa Ndiaye", email=f"awa.{lang}@omep-senegal.org")
        submit_registration(page)
        expect(registration_form(page)).to_have_count(0)

    check_all(
        axe,
        page,
        [
            ("list", lambda: page.goto(f"/{lang}/")),
            ("event", lambda: page.goto(event_path)),
            ("form with errors", form_with_errors),
            ("thank-you", thank_you),
            ("registration (manage link)", lambda: page.goto(manage_path)),
        ],
    )


@pytest.mark.parametrize("lang", ["en", "fr", "es"])
def test_public_pages_on_a_phone_have_no_serious_accessibility_violations(
    new_page, axe, gps_launch, lang
):
    page = new_page(viewport=PHONE, locale=BROWSER_LOCALES[lang], is_mobile=True, has_touch=True)
    check_all(
        axe,
        page,
        [
            ("list", lambda: page.goto(f"/{lang}/")),
            ("event", lambda: page.goto(f"/{lang}/events/{gps_launch.slug}")),
        ],
    )


@pytest.mark.parametrize("lang", ["en", "fr", "es"])
def test_organiser_pages_have_no_serious_accessibility_violations(
    new_page, axe, gps_launch, organiser, lang
):
    page = new_page(locale=BROWSER_LOCALES[lang])

    def dashboard():
        sign_in(page)
        page.goto("/organiser/")
        expect(page.locator("html")).to_have_attribute("lang", lang)

    def sign_in_page():
        page.goto("/organiser/login")
        expect(page.locator("html")).to_have_attribute("lang", lang)

    check_all(
        axe,
        page,
        [
            ("sign-in", sign_in_page),
            ("forgot password", lambda: page.goto("/organiser/password/forgot")),
            ("dashboard", dashboard),
            ("event editor", lambda: page.goto(f"/organiser/events/{gps_launch.slug}/edit")),
            ("new event", lambda: page.goto("/organiser/events/new")),
            ("event", lambda: page.goto(f"/organiser/events/{gps_launch.slug}")),
            ("account", lambda: page.goto("/organiser/account")),
            ("second factor set-up", lambda: page.goto("/organiser/account/second-factor")),
            ("organisers", lambda: page.goto("/organiser/organisers")),
            ("question templates", lambda: page.goto("/organiser/question-templates")),
        ],
    )


def test_axe_runs_under_the_sites_content_security_policy(page, axe, gps_launch):
    """A canary: an unlabelled field added to a real page must be reported."""
    response = page.goto(f"/en/events/{gps_launch.slug}")
    assert "script-src 'self'" in response.headers.get("content-security-policy", "")
    page.evaluate(
        "() => document.querySelector('main').append(Object.assign("
        "document.createElement('input'), {type: 'text', id: 'unlabelled'}))"
    )

    found = {violation["id"] for violation in axe.blocking_violations(page)}

    assert "label" in found
