"""An organiser at a desktop browser: sign in, write an event in two languages, publish it,
see it on the public site, and take the attendee list away as CSV."""

import csv
import io
import re

import pytest
from playwright.sync_api import expect

from tests.browser.pages import fill_registration, registration_form, sign_in, submit_registration

pytestmark = pytest.mark.browser

SLUG = "early-literacy-2027"
TITLES = {
    "en": "Early literacy in multilingual classrooms",
    "fr": "L’alphabétisation précoce dans les classes multilingues",
}
SUMMARIES = {
    "en": "Teachers from Senegal and Quebec share what works when children learn to read "
    "in a second language.",
    "fr": "Des enseignantes du Sénégal et du Québec partagent ce qui marche quand les enfants "
    "apprennent à lire dans une langue seconde.",
}
DESCRIPTIONS = {
    "en": "## Programme\n\n- Welcome\n- **Three classroom stories**\n- Questions",
    "fr": "## Programme\n\n- Accueil\n- **Trois récits de classe**\n- Questions",
}
LANGUAGE_NAMES = {"en": "English", "fr": "French"}


def write_event(page) -> None:
    """Fill the new-event form: both languages side by side, then the practical details."""
    for lang, language in LANGUAGE_NAMES.items():
        page.get_by_label(f"Title ({language})").fill(TITLES[lang])
        page.get_by_label(f"Summary ({language})").fill(SUMMARIES[lang])
        page.get_by_label(f"Description ({language})").fill(DESCRIPTIONS[lang])
    page.get_by_label("Time zone").select_option("Europe/Paris")
    page.get_by_label("Starts").fill("2027-02-10T15:00")
    page.get_by_label("Ends").fill("2027-02-10T16:30")
    page.get_by_label("Floor language").select_option("fr")
    page.get_by_role("group", name="Interpretation into").get_by_label("English").check()
    page.get_by_label("Web address").fill(SLUG)
    page.get_by_label("Join link").fill("https://meet.example.org/early-literacy")
    page.get_by_label("Capacity").fill("300")
    page.get_by_label("Partner 1").select_option("UNESCO")


def test_organiser_creates_publishes_and_exports_a_bilingual_event(
    new_page, organiser, make_partner
):
    make_partner("UNESCO", website="https://www.unesco.org")
    page = new_page()
    sign_in(page)
    expect(page.get_by_role("heading", level=1, name="Dashboard")).to_be_visible()

    page.get_by_role("link", name="New event").first.click()
    write_event(page)
    page.get_by_role("button", name="Create draft").click()

    expect(page).to_have_url(re.compile(rf"/organiser/events/{SLUG}$"))
    expect(page.get_by_role("heading", level=1)).to_contain_text(TITLES["en"])
    page.get_by_role("button", name="Publish").click()
    expect(page.get_by_role("status").or_(page.locator(".flash-success"))).to_contain_text(
        "published"
    )

    visitor = new_page(locale="fr-FR")
    for lang in ("en", "fr"):
        visitor.goto(f"/{lang}/")
        visitor.get_by_role("link", name=TITLES[lang]).click()
        expect(visitor).to_have_url(re.compile(rf"/{lang}/events/{SLUG}$"))
        expect(visitor.get_by_role("heading", level=1)).to_have_text(TITLES[lang])
        expect(visitor.get_by_text(SUMMARIES[lang]).first).to_be_visible()
        expect(visitor.get_by_role("heading", name="Programme")).to_be_visible()
    fill_registration(
        visitor,
        full_name="Chloé Lefèvre",
        email="chloe.lefevre@example.org",
        country="CI",
        organisation='=HYPERLINK("http://evil.example")',
    )
    submit_registration(visitor)
    expect(registration_form(visitor)).to_have_count(0)

    page.get_by_role("link", name="Attendees").click()
    expect(page.get_by_role("rowheader", name="Chloé Lefèvre")).to_be_visible()
    with page.expect_download() as download_info:
        page.get_by_role("link", name="CSV", exact=True).click()
    download = download_info.value

    assert SLUG in download.suggested_filename
    assert "2026-11-22" in download.suggested_filename
    assert download.suggested_filename.endswith(".csv")
    raw = download.path().read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf"), "no UTF-8 byte-order mark for Excel"
    rows = list(csv.DictReader(io.StringIO(raw.decode("utf-8-sig"), newline="")))
    assert len(rows) == 1
    row = rows[0]
    assert row["Full name"] == "Chloé Lefèvre"
    assert row["Email"] == "chloe.lefevre@example.org"
    assert row["Status"] == "Confirmed"
    assert row["Country code"] == "CI"
    assert row["Communication language"] == "French"
    assert row["Organisation"] == '\'=HYPERLINK("http://evil.example")'
