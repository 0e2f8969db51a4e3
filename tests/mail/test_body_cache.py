"""The cache of rendered mail bodies: kept in production, refreshed when a template changes
with auto-reload on (debug)."""

import os
import shutil

import pytest
from jinja2 import ChoiceLoader, FileSystemLoader

from eventsvc import PROJECT_ROOT
from eventsvc.mail.body_cache import _render_pair
from eventsvc.models import MessageKind
from tests.mail.reading import text_of


@pytest.fixture
def edited_templates(app, tmp_path):
    """A copy of the confirmation's text template, searched before the app's own."""
    (tmp_path / "email").mkdir()
    copy = tmp_path / "email" / "confirmation.txt"
    shutil.copy(PROJECT_ROOT / "templates" / "email" / "confirmation.txt", copy)
    app.jinja_env.loader = ChoiceLoader([FileSystemLoader(tmp_path), app.jinja_env.loader])
    return copy


def edit(template, old: str, new: str, step: int) -> None:
    template.write_text(template.read_text().replace(old, new))
    stamp = template.stat().st_mtime + step  # a later modification time, as an editor gives
    os.utime(template, (stamp, stamp))


def test_an_edited_mail_template_shows_in_the_next_message_with_auto_reload(
    app, edited_templates, built, make_event, make_registration
):
    app.jinja_env.auto_reload = True  # what DEBUG (or TEMPLATES_AUTO_RELOAD) sets
    event = make_event()
    first = built(MessageKind.CONFIRMATION, make_registration(event, language="en"))
    assert "Your place is confirmed." in text_of(first)

    edit(edited_templates, "Your place is confirmed.", "Your seat is yours.", 1)
    second = built(MessageKind.CONFIRMATION, make_registration(event, language="en"))

    assert "Your seat is yours." in text_of(second)


def test_without_auto_reload_a_body_is_rendered_once_for_everyone(
    app, built, make_event, make_registration
):
    app.jinja_env.auto_reload = False
    event = make_event()
    _render_pair.cache_clear()
    for name in ("Ada", "Grace", "Hedy"):
        message = built(
            MessageKind.CONFIRMATION, make_registration(event, language="en", full_name=name)
        )
        assert name in text_of(message)
    assert _render_pair.cache_info().misses == 1
    assert _render_pair.cache_info().hits == 2
