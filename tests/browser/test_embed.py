"""The embed on another site's page, as a partner's WordPress post would carry it: a page served
from another loopback origin (``localhost`` against the app's ``127.0.0.1``, another site for
the browser, so the frame's cookies are third-party, and Chromium blocks those) inserts the
frame with the one-line snippet; the visitor registers through it and reads the confirmation
inside it, the frame sized to its content. A page from an origin not allowed gets no frame."""

import os
import threading

import pytest
from sqlalchemy import select
from werkzeug.serving import make_server
from werkzeug.wrappers import Response

from eventsvc.extensions import db
from eventsvc.models import Registration
from eventsvc.services import questions
from eventsvc.unit_of_work import unit_of_work
from tests.browser.chromium import CHROMIUM, CHROMIUM_ARGS
from tests.browser.pages import DESKTOP
from tests.browser.screenshots import SCREENSHOT_DIR

#: Chromium's switch for "block third-party cookies" (the phase-out setting, forced on).
BLOCK_THIRD_PARTY_COOKIES = "--test-third-party-cookie-phaseout"


@pytest.fixture
def cookieless_browser(browser):
    """A second Chromium from the same Playwright, blocking third-party cookies."""
    blocked = browser.browser_type.launch(
        executable_path=str(CHROMIUM),
        headless=True,
        args=[*CHROMIUM_ARGS, BLOCK_THIRD_PARTY_COOKIES],
    )
    yield blocked
    blocked.close()


@pytest.fixture
def host_site(live_server):
    """A partner's page on another origin: ``/snippet`` holds the script snippet, ``/plain``
    a plain iframe. Returns its origin (``http://localhost:PORT``)."""

    def partner_site(environ, start_response):
        embed = f"{live_server.url}/embed/fr/events/gps"
        snippet = (
            f'<script src="{live_server.url}/static/embed.js" data-event="gps" data-lang="fr" '
            "async></script>"
        )
        body = {
            "/snippet": snippet,
            "/plain": f'<iframe src="{embed}" title="Inscription" width="600" height="900">'
            "</iframe>",
        }.get(environ["PATH_INFO"], "")
        html = (
            '<!doctype html><html lang="fr"><head><meta charset="utf-8"><title>Partenaire</title>'
            "<style>body{font-family:Georgia,serif;max-width:46rem;margin:1rem auto}</style>"
            f"</head><body><h1>Notre webinaire</h1>{body}<p>Fin de l'article</p></body></html>"
        )
        return Response(html, mimetype="text/html")(environ, start_response)

    server = make_server("127.0.0.1", 0, partner_site, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://localhost:{server.server_port}"
    server.shutdown()
    thread.join(timeout=10)
    server.server_close()


FRAME_HEIGHT = (
    "() => Math.round(document.querySelector('iframe.eventsvc-embed')"
    ".getBoundingClientRect().height)"
)


def _frame_height(page) -> int:
    return page.evaluate(FRAME_HEIGHT)


def _content_height(frame) -> int:
    return frame.evaluate("() => Math.ceil(document.body.getBoundingClientRect().height)")


ROLE_AND_AGE_GROUPS = [
    {
        "key": "role",
        "type": "single_choice",
        "label": {"en": "Your role", "fr": "Votre rôle"},
        "required": True,
        "choices": [
            {"key": "teacher", "label": {"en": "Teacher", "fr": "Enseignant·e"}},
            {"key": "official", "label": {"en": "Official", "fr": "Fonctionnaire"}},
        ],
    },
    {
        "key": "age_groups",
        "type": "multiple_choice",
        "label": {"en": "Age groups you work with", "fr": "Âges des enfants"},
        "show_if": {"question": "role", "in": ["teacher"]},
        "choices": [
            {"key": "under_three", "label": {"en": "0–3", "fr": "0–3 ans"}},
            {"key": "three_to_six", "label": {"en": "3–6", "fr": "3–6 ans"}},
        ],
    },
]


def test_registering_through_the_snippet_with_third_party_cookies_blocked(
    app, cookieless_browser, live_server, host_site, make_event, smtp
):
    app.config["EMBED_ALLOWED_ORIGINS"] = [host_site]
    event = make_event(
        slug="gps", title={"fr": "Lancement de la stratégie", "en": "Strategy launch"}
    )
    with unit_of_work():  # the event's own questions travel with the embedded form
        questions.set_questions(event, ROLE_AND_AGE_GROUPS)
    context = cookieless_browser.new_context(viewport=DESKTOP, locale="fr-FR")
    context.set_default_timeout(10_000)
    page = context.new_page()
    problems = []
    page.on("pageerror", lambda error: problems.append(str(error)))

    page.goto(f"{host_site}/snippet")
    frame_element = page.locator("iframe.eventsvc-embed")
    frame_element.wait_for()
    inside = page.frame_locator("iframe.eventsvc-embed")
    inside.locator("form.registration-form").wait_for()
    frame = frame_element.element_handle().content_frame()
    frame.wait_for_load_state()
    # Resized to its content (the snippet starts it at 40rem, 640 px, well short of the form).
    page.wait_for_function(
        "() => Math.round(document.querySelector('iframe.eventsvc-embed')"
        ".getBoundingClientRect().height) !== 640"
    )
    assert abs(_frame_height(page) - _content_height(frame)) <= 2
    form_height = _frame_height(page)
    if os.environ.get("EVENTSVC_UPDATE_SCREENSHOTS") == "1":  # docs/embedding.md's picture
        height = page.evaluate("() => document.documentElement.scrollHeight")
        page.set_viewport_size({"width": DESKTOP["width"], "height": height})
        page.screenshot(path=SCREENSHOT_DIR / "embed-fr-desktop.png")
        page.set_viewport_size(DESKTOP)
    # The frame is a third-party context here: it can keep no cookie at all.
    assert frame.evaluate("() => { document.cookie = 'probe=1'; return document.cookie; }") == ""

    inside.locator("[name=full_name]").fill("Amina Diallo")
    inside.locator("[name=email]").fill("amina@example.org")
    inside.locator("[name=country]").select_option("SN")
    inside.locator("[name=q-role][value=teacher]").check()
    inside.locator("[name=q-age_groups][value=three_to_six]").check()  # shown to teachers
    inside.locator("[name=consent]").check()
    inside.locator("form.registration-form button").click()

    heading = inside.locator("h1")
    heading.wait_for()
    assert heading.inner_text() == "Merci de votre inscription"
    assert page.url == f"{host_site}/snippet"  # the partner's page stayed where it was
    personal = inside.locator(".personal-link a")
    assert personal.get_attribute("href").startswith(f"{live_server.url}/fr/")
    page.wait_for_function(
        f"() => Math.round(document.querySelector('iframe.eventsvc-embed')"
        f".getBoundingClientRect().height) !== {form_height}"
    )
    frame = frame_element.element_handle().content_frame()
    assert abs(_frame_height(page) - _content_height(frame)) <= 2
    assert context.cookies(live_server.url) == []
    assert not problems
    context.close()
    with app.app_context():
        person = db.session.scalar(
            select(Registration).where(Registration.email == "amina@example.org")
        )
        assert questions.answers_for(person) == {"role": "teacher", "age_groups": ["three_to_six"]}


def test_a_plain_iframe_works_without_the_script(
    app, cookieless_browser, live_server, host_site, make_event
):
    app.config["EMBED_ALLOWED_ORIGINS"] = [host_site]
    make_event(slug="gps")
    context = cookieless_browser.new_context(viewport=DESKTOP)
    page = context.new_page()
    page.goto(f"{host_site}/plain")
    page.frame_locator("iframe").locator("form.registration-form").wait_for(timeout=10_000)
    context.close()


def test_a_page_from_an_origin_not_allowed_gets_no_frame(
    app, browser, live_server, host_site, make_event
):
    app.config["EMBED_ALLOWED_ORIGINS"] = ["https://partner.example.org"]
    make_event(slug="gps")
    context = browser.new_context(viewport=DESKTOP)
    page = context.new_page()
    refusals = []
    page.on(
        "console",
        lambda message: (
            refusals.append(message.text) if "frame-ancestors" in message.text else None
        ),
    )

    page.goto(f"{host_site}/plain")
    page.wait_for_timeout(1500)

    [frame] = [frame for frame in page.frames if frame != page.main_frame]
    assert frame.url.startswith("chrome-error://") or frame.locator("form").count() == 0
    assert any("frame-ancestors" in text for text in refusals)
    context.close()
