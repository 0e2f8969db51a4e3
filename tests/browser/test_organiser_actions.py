"""The organiser's event and attendee pages at a 1280 px desktop: the address to share and its
Copy button, the row actions in view, and axe-core on every page changed for issue 13."""

import pytest
from playwright.sync_api import expect

from tests.browser.pages import DESKTOP, sign_in
from tests.browser.test_accessibility import BROWSER_LOCALES, check_all

pytestmark = pytest.mark.browser


@pytest.fixture
def full_event(make_event, make_registration):
    """A full event (2 places) with a waitlist, long names and questions: the widest table."""
    event = make_event(slug="gps-launch", capacity=2)
    for n, language in enumerate(["fr", "en", "fr", "en"]):
        make_registration(
            event,
            language=language,
            full_name=f"Maria-Fernanda Rodríguez de la Fuente {n}",
            email=f"maria.fernanda.rodriguez.delafuente.{n}@ministerio-educacion.example.org",
            organisation="Organisation mondiale pour l’éducation préscolaire (OMEP)",
            country="CO",
            interpretation_language="en",
            question_for_speakers=(
                "How will the strategy reach rural pre-schools where there is no internet?"
            ),
            newsletter=True,
        )
    return event


def test_every_row_action_is_in_view_at_1280_px(new_page, organiser, full_event):
    page = new_page(viewport=DESKTOP)
    sign_in(page)
    page.goto("/organiser/events/gps-launch/registrations")
    rows = page.locator("table.registrations tbody tr")
    expect(rows).to_have_count(4)
    # Horizontally inside the window and inside the scrolling box that holds the table,
    # without scrolling sideways: what the organiser sees.
    hidden = page.evaluate(
        """() => {
            const box = document.querySelector('.table-scroll').getBoundingClientRect();
            const right = Math.min(box.right, window.innerWidth);
            return [...document.querySelectorAll('.row-actions a, .row-actions button')]
                .filter(a => { const r = a.getBoundingClientRect();
                               return r.left < box.left || r.right > right; })
                .map(a => a.textContent.trim());
        }"""
    )
    assert page.locator(".row-actions a").count() >= 8
    assert hidden == []


def test_the_address_to_share_is_copied_with_one_click(
    new_page, organiser, full_event, live_server
):
    page = new_page(viewport=DESKTOP, permissions=["clipboard-read", "clipboard-write"])
    sign_in(page)
    page.goto("/organiser/events/gps-launch")
    address = f"{live_server.url}/en/events/gps-launch"
    expect(page.get_by_label("Address to share")).to_have_value(address)
    page.get_by_role("button", name="Copy", exact=True).click()
    expect(page.locator("#copy-status")).to_have_text("Copied to the clipboard.")
    assert page.evaluate("() => navigator.clipboard.readText()") == address
    view = page.get_by_role("link", name="View the public page")
    assert view.get_attribute("href") == address


@pytest.mark.parametrize("lang", ["en", "fr"])
def test_changed_organiser_pages_have_no_serious_accessibility_violations(
    new_page, axe, organiser, full_event, lang
):
    page = new_page(locale=BROWSER_LOCALES[lang])
    sign_in(page)
    waiting = [r for r in full_event_registrations(full_event) if r.status.value == "waitlisted"]
    base = "/organiser/events/gps-launch"
    check_all(
        axe,
        page,
        [
            ("event", lambda: page.goto(base)),
            ("attendees", lambda: page.goto(f"{base}/registrations")),
            ("promote", lambda: page.goto(f"{base}/registrations/{waiting[-1].id}/promote")),
            (
                "cancel registration",
                lambda: page.goto(f"{base}/registrations/{waiting[0].id}/cancel"),
            ),
            ("questions", lambda: page.goto(f"{base}/questions")),
            ("cancel event", lambda: page.goto(f"{base}/cancel")),
            ("announcement", lambda: page.goto(f"{base}/announce")),
            ("postpone", lambda: page.goto(f"{base}/postpone")),
            ("partners", lambda: page.goto("/organiser/partners")),
            ("new partner", lambda: page.goto("/organiser/partners/new")),
        ],
    )


def full_event_registrations(event):
    from sqlalchemy import select

    from eventsvc.extensions import db
    from eventsvc.models import Registration

    return list(
        db.session.scalars(
            select(Registration).where(Registration.event_id == event.id).order_by(Registration.id)
        )
    )


def test_the_slug_follows_the_title_and_says_whether_it_is_free(new_page, organiser, full_event):
    page = new_page(viewport=DESKTOP)
    sign_in(page)
    page.goto("/organiser/events/new")
    page.get_by_label("Title (English)").fill("Play-based learning: what works?")
    slug = page.get_by_label("Web address")
    expect(slug).to_have_value("play-based-learning-what-works")
    expect(page.locator("#slug-status")).to_contain_text("Free: the page will be at")
    slug.fill("gps-launch")
    expect(page.locator("#slug-status")).to_contain_text("already uses")
    page.get_by_label("Title (English)").fill("Something else")
    expect(slug).to_have_value("gps-launch")  # written by hand: the title no longer changes it


def test_the_history_and_registration_times_are_in_the_organisers_own_zone(
    new_page, organiser, full_event
):
    page = new_page(viewport=DESKTOP, timezone_id="Asia/Tokyo")
    sign_in(page)
    page.goto("/organiser/events/gps-launch/registrations")
    header = page.get_by_role("columnheader", name="Registered (Asia/Tokyo)")
    expect(header).to_be_visible()
    # The frozen clock registers everyone at 10:00 UTC: 19:00 in Tokyo.
    expect(page.locator("time[data-organiser-time]").first).to_have_text("2026-11-22 19:00")
