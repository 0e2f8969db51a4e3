"""French puts a non-breaking space before a colon, so every colon shown next to translated text
belongs to the translated string, never to the template or the code."""

import re
from datetime import timedelta

from flask_babel import force_locale

from eventsvc.organiser.presenters import audit_details
from eventsvc.services.announcements import send_announcement
from eventsvc.unit_of_work import unit_of_work
from tests.i18n.wording import NBSP, cell_texts, parse


def test_audit_details_put_the_colon_in_the_translation(app):
    with app.test_request_context():
        with force_locale("fr"):
            assert audit_details({"capacity": 40}, "Europe/Paris") == [
                f"Nombre de places{NBSP}: 40"
            ]
        with force_locale("en"):
            assert audit_details({"capacity": 40}, "Europe/Paris") == ["Capacity: 40"]


def test_statistics_chart_bars_read_as_a_day_and_its_registrations(
    french_organiser, make_event, make_registration, frozen_clock
):
    event = make_event(slug="gps-launch")
    frozen_clock.set(frozen_clock.now - timedelta(days=1))
    make_registration(event)
    frozen_clock.advance(timedelta(days=1))
    make_registration(event)

    doc = parse(french_organiser.get("/organiser/events/gps-launch/stats"))
    titles = cell_texts(doc.select(".chart-bars rect title"))
    assert len(titles) == 2
    assert re.fullmatch(rf".+{NBSP}: 1 inscription", titles[0])
    assert re.fullmatch(rf".+{NBSP}: 2 inscriptions", titles[1])


def test_past_announcements_put_the_colon_after_the_time_in_the_translation(
    french_organiser, make_event, make_registration
):
    event = make_event(slug="gps-launch")
    make_registration(event, language="fr")
    texts = {
        "en": {"subject": "Slides are online", "body": "The slides are online."},
        "fr": {"subject": "Les diapositives <en ligne>", "body": "Les diapositives sont en ligne."},
    }
    with unit_of_work():
        send_announcement(event, texts)

    doc = parse(french_organiser.get("/organiser/events/gps-launch/announce"))
    item = doc.select_one(".past-announcements li")
    assert item.select_one("time")["datetime"].startswith("2026-11-22T10:00")
    assert item.get_text().strip() == (
        f"2026-11-22 11:00 (Europe/Paris){NBSP}: Les diapositives <en ligne>"
    )
