"""Browser fixtures: the app served on loopback, Debian's Chromium driven by Playwright, axe-core.

The server runs in this process (a thread), so it shares the frozen clock of ``tests/conftest.py``
and the SMTP sink. Without Chromium (or, for the accessibility checks, without ``npm ci``'s
axe-core) the tests are skipped and the run says so at the end; with
``EVENTSVC_REQUIRE_BROWSER=1`` (CI) they fail instead.
"""

import os
import threading
from dataclasses import dataclass

import pytest
from werkzeug.serving import make_server

from eventsvc.unit_of_work import unit_of_work
from tests.browser.axe import AXE_SOURCE, Axe
from tests.browser.chromium import CHROMIUM, CHROMIUM_ARGS
from tests.browser.pages import DESKTOP, ORGANISER_EMAIL, ORGANISER_PASSWORD, PHONE


def browser_required() -> bool:
    return os.environ.get("EVENTSVC_REQUIRE_BROWSER") == "1"


def unavailable(reason: str):
    """Skip, or fail when the run requires the browser tests (CI)."""
    if browser_required():
        pytest.fail(f"{reason} (EVENTSVC_REQUIRE_BROWSER=1)", pytrace=False)
    pytest.skip(reason)


@pytest.fixture(scope="package")
def browser():
    """One Chromium for the browser tests, stopped when they are done.

    Package scope, not session: while Playwright's sync API is started, its event loop counts
    as running in this thread, and any later test calling ``asyncio.run`` would fail.
    """
    if not CHROMIUM.exists():
        unavailable(f"Chromium not found at {CHROMIUM} (apt-get install -y chromium)")
    from playwright.sync_api import sync_playwright

    playwright = sync_playwright().start()
    try:
        browser = playwright.chromium.launch(
            executable_path=str(CHROMIUM), headless=True, args=CHROMIUM_ARGS
        )
    except Exception as exc:
        playwright.stop()
        unavailable(f"Chromium at {CHROMIUM} does not start: {exc}")
    yield browser
    browser.close()
    playwright.stop()


@pytest.fixture(scope="session")
def axe():
    if AXE_SOURCE is None:
        unavailable("axe-core missing: node_modules/axe-core/axe.min.js (run `npm ci`)")
    return Axe(AXE_SOURCE)


@pytest.fixture
def app_config(smtp):
    """A real browser posts real CSRF tokens; mail goes to the SMTP sink."""
    return {"WTF_CSRF_ENABLED": True, "MAIL_SERVER": "127.0.0.1", "MAIL_PORT": smtp.port}


@dataclass(frozen=True)
class LiveServer:
    url: str


@pytest.fixture
def live_server(app):
    """The app served by Werkzeug on a free loopback port; links in mail point at it."""
    server = make_server("127.0.0.1", 0, app, threaded=True)
    url = f"http://127.0.0.1:{server.server_port}"
    app.config["PUBLIC_BASE_URL"] = url
    thread = threading.Thread(target=server.serve_forever, name="live-server", daemon=True)
    thread.start()
    yield LiveServer(url)
    server.shutdown()
    thread.join(timeout=10)
    server.server_close()


@pytest.fixture
def new_page(browser, live_server):
    """Open a page in a fresh browser context (own cookies, viewport, locale, time zone).

    Uncaught script errors and Content-Security-Policy refusals fail the test.
    """
    contexts = []
    problems: list[str] = []

    def open_page(viewport=DESKTOP, locale="en-GB", timezone_id="Europe/Paris", **options):
        context = browser.new_context(
            base_url=live_server.url,
            viewport=viewport,
            locale=locale,
            timezone_id=timezone_id,
            accept_downloads=True,
            **options,
        )
        context.set_default_timeout(10_000)
        contexts.append(context)
        page = context.new_page()
        page.on("pageerror", lambda error: problems.append(f"script error: {error}"))
        page.on(
            "console",
            lambda message: (
                problems.append(f"console: {message.text}")
                if message.type == "error" and "Content Security Policy" in message.text
                else None
            ),
        )
        return page

    yield open_page
    for context in contexts:
        context.close()
    assert not problems, "\n".join(problems)


@pytest.fixture
def page(new_page):
    return new_page()


@pytest.fixture
def phone_page(new_page):
    return new_page(viewport=PHONE, locale="fr-FR", has_touch=True, is_mobile=True)


@pytest.fixture
def organiser(app):
    """The first organiser account, an admin as the README makes it: admins see every event,
    imported ones included (other organisers only those assigned to them)."""
    from eventsvc.models import Role
    from eventsvc.services.organisers import NewOrganiser, create_organiser

    with unit_of_work():
        account = create_organiser(
            NewOrganiser(
                email=ORGANISER_EMAIL,
                password=ORGANISER_PASSWORD,
                name="Amina Diallo",
                role=Role.ADMIN,
            )
        )
    return account


@pytest.fixture
def gps_launch(make_event, make_partner):
    """The GPS launch webinar, co-organised with UNESCO and ECDAN, 6 December 2026 in Paris."""
    partners = [
        make_partner("UNESCO", website="https://www.unesco.org"),
        make_partner("ECDAN", website="https://ecdan.org"),
    ]
    return make_event(
        slug="gps-ecce-launch",
        title={
            "en": "Launch of the Global Partnership Strategy for Early Childhood",
            "fr": "Lancement de la Stratégie de partenariat mondial pour la petite enfance",
        },
        partners=partners,
        capacity=500,
        registration_closes="2026-12-06T13:00",
    )
