"""The README's screenshots: every main page at phone and desktop size, in both languages."""

import os
import struct
from pathlib import Path

import pytest
from sqlalchemy import select

from eventsvc.extensions import db
from eventsvc.models import Event
from eventsvc.services.tokens import make_token
from tests.browser.pages import DESKTOP, PHONE
from tests.browser.screenshots import SCREENSHOT_DIR, SHOTS, SIZES, Scene, take_screenshots

pytestmark = pytest.mark.browser

DEMO_EVENT = "gps-ecce-launch"
#: The demo's session held in Spanish, with interpretation into English and French.
DEMO_SPANISH_SESSION = "clade-early-childhood-funding-2027"


@pytest.fixture
def scene(runner, make_registration, organiser):
    """The demo data a newcomer sees after `make run`, and a registrant in each language."""
    result = runner.invoke(args=["demo-data"])
    assert result.exit_code == 0, result.output
    launch = db.session.scalars(select(Event).where(Event.slug == DEMO_EVENT)).one()
    manage_paths = {}
    for lang, name in (("en", "Grace Mwangi"), ("fr", "Awa Ndiaye")):
        registration = make_registration(
            launch,
            language=lang,
            full_name=name,
            email=f"{name.split()[0].lower()}@example.org",
            organisation="OMEP",
            country="KE" if lang == "en" else "SN",
        )
        manage_paths[lang] = f"/{lang}/registrations/{make_token(registration)}"
    return Scene(
        event_slug=DEMO_EVENT,
        session_slug=DEMO_SPANISH_SESSION,
        manage_paths=manage_paths,
        editor_path=f"/organiser/events/{DEMO_EVENT}/edit",
    )


def test_screenshots_of_the_main_pages_at_phone_and_desktop_size(new_page, scene, tmp_path):
    refresh = os.environ.get("EVENTSVC_UPDATE_SCREENSHOTS") == "1"
    out_dir = SCREENSHOT_DIR if refresh else tmp_path

    written = take_screenshots(new_page, scene, out_dir)

    expected = {
        f"{shot.name}-{lang}-{size}.png"
        for shot in SHOTS
        for lang in shot.languages
        for size in SIZES
    }
    assert {path.name for path in written} == expected
    for path in written:
        viewport = PHONE if path.stem.endswith("-phone") else DESKTOP
        assert png_size(path) == (viewport["width"], viewport["height"]), path.name


def png_size(path: Path) -> tuple[int, int]:
    """Width and height from the PNG's IHDR chunk."""
    header = path.read_bytes()[:24]
    assert header[:8] == b"\x89PNG\r\n\x1a\n", f"{path.name} is not a PNG"
    return struct.unpack(">II", header[16:24])
