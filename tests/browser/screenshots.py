"""Screenshots of the main pages at phone and desktop size, for the README.

Each shot is ``<page>-<lang>-<size>.png``. :func:`take_screenshots` is run by
``test_screenshots.py`` against the live test server; the test writes into a temporary folder
unless ``EVENTSVC_UPDATE_SCREENSHOTS=1`` asks it to refresh ``docs/screenshots/``.
"""

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from playwright.sync_api import Page, expect

from tests.browser.pages import (
    DESKTOP,
    PHONE,
    fill_registration,
    registration_form,
    sign_in,
    submit_registration,
)

SCREENSHOT_DIR = Path(__file__).resolve().parents[2] / "docs" / "screenshots"
SIZES = {"phone": PHONE, "desktop": DESKTOP}
LANGUAGES = ("en", "fr")
#: The public pages that need no registrant of their own are shown in Spanish too.
PUBLIC_LANGUAGES = (*LANGUAGES, "es")


@dataclass(frozen=True)
class Scene:
    """The data the shots show: an event slug and a registrant's personal page per language."""

    event_slug: str
    #: A session whose floor language is not a language of the site (the demo's Spanish one).
    session_slug: str
    manage_paths: dict[str, str]
    editor_path: str


@dataclass(frozen=True)
class Shot:
    name: str
    show: Callable[[Page, str, Scene, str], None]
    languages: tuple[str, ...] = LANGUAGES
    organiser: bool = False


def visit(page: Page, path: str) -> None:
    response = page.goto(path)
    assert response is not None and response.ok, f"{path}: {response and response.status}"


def show_list(page: Page, lang: str, scene: Scene, tag: str) -> None:
    visit(page, f"/{lang}/")


def show_event(page: Page, lang: str, scene: Scene, tag: str) -> None:
    visit(page, f"/{lang}/events/{scene.event_slug}")


def show_session(page: Page, lang: str, scene: Scene, tag: str) -> None:
    visit(page, f"/{lang}/events/{scene.session_slug}")


def show_form_with_errors(page: Page, lang: str, scene: Scene, tag: str) -> None:
    visit(page, f"/{lang}/events/{scene.event_slug}")
    fill_registration(page, full_name="Awa Ndiaye", email="awa.ndiaye@omep-senegal", consent=False)
    submit_registration(page)
    first_error = page.locator(".error-message, [aria-invalid=true]").first
    expect(first_error).to_be_visible()
    first_error.scroll_into_view_if_needed()


def show_thank_you(page: Page, lang: str, scene: Scene, tag: str) -> None:
    visit(page, f"/{lang}/events/{scene.event_slug}")
    fill_registration(
        page, full_name="Awa Ndiaye", email=f"awa.ndiaye+{lang}-{tag}@omep-senegal.org"
    )
    submit_registration(page)
    expect(registration_form(page)).to_have_count(0)


def show_manage(page: Page, lang: str, scene: Scene, tag: str) -> None:
    visit(page, scene.manage_paths[lang])


def show_sign_in(page: Page, lang: str, scene: Scene, tag: str) -> None:
    visit(page, "/organiser/login")


def show_dashboard(page: Page, lang: str, scene: Scene, tag: str) -> None:
    visit(page, "/organiser/")


def show_editor(page: Page, lang: str, scene: Scene, tag: str) -> None:
    visit(page, scene.editor_path)


def show_event_admin(page: Page, lang: str, scene: Scene, tag: str) -> None:
    visit(page, f"/organiser/events/{scene.event_slug}")


def show_attendees(page: Page, lang: str, scene: Scene, tag: str) -> None:
    visit(page, f"/organiser/events/{scene.event_slug}/registrations")


def show_stats(page: Page, lang: str, scene: Scene, tag: str) -> None:
    visit(page, f"/organiser/events/{scene.event_slug}/stats")


def show_partners(page: Page, lang: str, scene: Scene, tag: str) -> None:
    visit(page, "/organiser/partners")


def show_partner_errors(page: Page, lang: str, scene: Scene, tag: str) -> None:
    """A new partner with a spaced acronym and a web address that is none: errors per field."""
    visit(page, "/organiser/partners/new")
    page.locator("[name=acronym]").fill("OMEP Sénégal")
    page.locator("[name=website]").fill("omep senegal")
    page.locator("form.event-form button[type=submit]").click()
    page.wait_for_load_state()
    expect(page.locator("#error-summary")).to_be_visible()


def show_account(page: Page, lang: str, scene: Scene, tag: str) -> None:
    visit(page, "/organiser/account")


def show_form_builder(page: Page, lang: str, scene: Scene, tag: str) -> None:
    """The registration form builder (issue 16), at its second question (a condition)."""
    visit(page, f"/organiser/events/{scene.event_slug}/form")
    page.locator("[data-question]").nth(1).evaluate("card => card.scrollIntoView()")


def show_question_templates(page: Page, lang: str, scene: Scene, tag: str) -> None:
    """The question templates page, with the demo launch's questions saved as one from the
    form builder (the same name each time: saving again replaces it)."""
    visit(page, f"/organiser/events/{scene.event_slug}/form")
    page.locator("#template-name").fill("Launch: roles, age groups, breakouts")
    page.locator("#template-name").locator("xpath=ancestor::form").locator("button").click()
    page.wait_for_load_state()
    page.get_by_role("link", name="Rename or delete the templates").click()
    expect(page.locator("tr[data-template]").first).to_be_visible()


def show_form_questions(page: Page, lang: str, scene: Scene, tag: str) -> None:
    """The event's own questions on the public form, a teacher's answers begun."""
    visit(page, f"/{lang}/events/{scene.event_slug}")
    questions = registration_form(page).locator("[data-question]")
    questions.first.locator("input").first.check()
    expect(questions.nth(1)).to_be_visible()
    questions.first.scroll_into_view_if_needed()


SHOTS = (
    Shot("list", show_list, languages=PUBLIC_LANGUAGES),
    Shot("event", show_event, languages=PUBLIC_LANGUAGES),
    Shot("session", show_session, languages=PUBLIC_LANGUAGES),
    Shot("form-errors", show_form_with_errors, languages=PUBLIC_LANGUAGES),
    Shot("thank-you", show_thank_you, languages=PUBLIC_LANGUAGES),
    Shot("manage", show_manage),
    Shot("sign-in", show_sign_in, languages=("en",)),
    Shot("dashboard", show_dashboard, languages=("en",), organiser=True),
    Shot("editor", show_editor, languages=("en",), organiser=True),
    Shot("event-admin", show_event_admin, languages=("en",), organiser=True),
    Shot("attendees", show_attendees, languages=("en",), organiser=True),
    Shot("stats", show_stats, languages=("en",), organiser=True),
    Shot("partners", show_partners, languages=("en",), organiser=True),
    Shot("partner-errors", show_partner_errors, languages=("en",), organiser=True),
    Shot("account", show_account, languages=("en",), organiser=True),
    Shot("form-builder", show_form_builder, languages=("en",), organiser=True),
    Shot("question-templates", show_question_templates, languages=("en",), organiser=True),
    Shot("form-questions", show_form_questions),
)


def take_screenshots(new_page, scene: Scene, out_dir: Path) -> list[Path]:
    """Photograph every shot at every size into ``out_dir``; returns the files written."""
    out_dir.mkdir(parents=True, exist_ok=True)
    written = []
    for size, viewport in SIZES.items():
        visitor = new_page(viewport=viewport, locale="en-GB", is_mobile=size == "phone")
        organiser = new_page(viewport=viewport, locale="en-GB", is_mobile=size == "phone")
        sign_in(organiser)
        for shot in SHOTS:
            page = organiser if shot.organiser else visitor
            for lang in shot.languages:
                shot.show(page, lang, scene, size)
                page.wait_for_load_state("load")
                path = out_dir / f"{shot.name}-{lang}-{size}.png"
                page.screenshot(path=str(path), full_page=False, animations="disabled")
                written.append(path)
    return written
