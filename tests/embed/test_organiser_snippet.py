"""The organiser's event page offers the one-line snippet to embed the registration."""

from tests.public.html import page


def test_published_event_page_shows_the_snippet_with_a_copy_button(organiser, app, make_event):
    make_event(slug="gps-launch")

    html = page(organiser.get("/organiser/events/gps-launch"))

    snippet = html.find("input", id="embed-snippet")["value"]
    base = app.config["PUBLIC_BASE_URL"]
    assert snippet == (
        f'<script src="{base}/static/embed.js" data-event="gps-launch" data-lang="en" async>'
        "</script>"
    )
    assert html.find("button", attrs={"data-copy": "embed-snippet"}) is not None


def test_a_draft_has_no_snippet(organiser, make_event):
    make_event(slug="gps-launch", status="draft")
    assert page(organiser.get("/organiser/events/gps-launch")).find(id="embed-snippet") is None
