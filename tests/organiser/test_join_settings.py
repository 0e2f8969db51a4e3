"""The join settings of an event (issue 18): opening before the start, grace after the end,
recording, panelists' shared address; from the editor, an import file or the input, checked once;
and the openings of the personal join links on the organiser's event page."""

from datetime import timedelta

import pytest
from bs4 import BeautifulSoup
from flask_babel import force_locale
from sqlalchemy import select

from eventsvc.extensions import db
from eventsvc.models import Event
from eventsvc.services import joins
from eventsvc.services.importer import ImportFailed, import_events
from eventsvc.services.inputs.event import validate
from eventsvc.unit_of_work import unit_of_work
from tests.factories import as_json, document, gps_launch_data
from tests.organiser.test_events import event_form


def stored(slug) -> Event:
    db.session.expire_all()
    return db.session.scalar(select(Event).where(Event.slug == slug))


def test_a_new_event_takes_the_default_opening_and_grace(app, make_event):
    event = make_event()

    assert (event.join_opens_minutes, event.join_grace_minutes) == (30, 30)
    assert joins.opens_at(event) == event.starts_at - timedelta(minutes=30)
    assert joins.closes_at(event) == event.ends_at + timedelta(minutes=30)


def test_the_editor_saves_the_join_settings(organiser, organiser_account):
    response = organiser.post(
        "/organiser/events/new",
        data=event_form(
            join_opens_minutes="10",
            join_grace_minutes="60",
            recording_url="video.example.org/gps",
            panelist_url="https://meet.example.org/gps-panel",
        ),
    )

    assert response.status_code == 302
    event = stored("gps-launch")
    assert (event.join_opens_minutes, event.join_grace_minutes) == (10, 60)
    assert event.recording_url == "https://video.example.org/gps"
    assert event.panelist_url == "https://meet.example.org/gps-panel"
    edit = BeautifulSoup(organiser.get("/organiser/events/gps-launch/edit").text, "html.parser")
    assert edit.select_one("#join_opens_minutes")["value"] == "10"
    assert edit.select_one("#recording_url")["value"] == "https://video.example.org/gps"


def test_leaving_the_minutes_empty_keeps_the_events_own(organiser, organiser_account):
    organiser.post("/organiser/events/new", data=event_form(join_opens_minutes="45"))
    organiser.post(
        "/organiser/events/gps-launch/edit",
        data=event_form(join_opens_minutes="", join_grace_minutes=""),
    )

    assert stored("gps-launch").join_opens_minutes == 45


@pytest.mark.parametrize(
    ("changes", "key", "message"),
    [
        ({"join_opens_minutes": -1}, "join_opens_minutes", "from 0 to 1440"),
        ({"join_grace_minutes": 1441}, "join_grace_minutes", "from 0 to 1440"),
        ({"join_grace_minutes": True}, "join_grace_minutes", "from 0 to 1440"),
        ({"recording_url": "javascript:alert(1)"}, "recording_url", "https://"),
        ({"panelist_url": "https://x.org/" + "a" * 500}, "panelist_url", "At most 500"),
    ],
)
def test_bad_join_settings_are_refused_by_field(app, changes, key, message):
    errors = validate(gps_launch_data(**changes))

    assert message in str(errors[key][0])


def test_messages_are_in_french_for_a_french_reader(app):
    errors = validate(gps_launch_data(join_opens_minutes=5000))

    with force_locale("fr"):
        assert str(errors["join_opens_minutes"][0]) == (
            "Indiquez un nombre entier de minutes, de 0 à 1440."
        )


def test_an_import_file_sets_the_join_settings(app):
    with unit_of_work():
        import_events(
            as_json(
                document(
                    join_opens_minutes=15,
                    join_grace_minutes=0,
                    recording_url="https://video.example.org/gps",
                    panelist_url="https://meet.example.org/panel",
                )
            )
        )

    event = stored("gps-ecce-launch")
    assert (event.join_opens_minutes, event.join_grace_minutes) == (15, 0)
    assert event.recording_url == "https://video.example.org/gps"
    assert event.panelist_url == "https://meet.example.org/panel"


def test_an_import_file_with_bad_minutes_names_the_field(app):
    with pytest.raises(ImportFailed) as failure, unit_of_work():
        import_events(as_json(document(join_opens_minutes="soon")))

    assert any("events[0].join_opens_minutes" in str(p) for p in failure.value.problems)


def test_the_event_page_shows_the_openings_and_the_panelists_address(
    organiser, organiser_account, make_event, make_registration, frozen_clock
):
    event = make_event(slug="gps-launch")
    event.panelist_url = "https://meet.example.org/gps-panel"
    db.session.commit()
    first, second = make_registration(event), make_registration(event)
    with unit_of_work():
        joins.record_opening(first, event.starts_at - timedelta(minutes=3))
        joins.record_opening(first, event.starts_at + timedelta(minutes=1))
        joins.record_opening(second, event.starts_at + timedelta(minutes=2))

    page = BeautifulSoup(organiser.get("/organiser/events/gps-launch").text, "html.parser")

    block = page.select_one(".join-openings").get_text(" ", strip=True)
    assert "2 people opened their join link (3 openings)." in block
    assert "13:27" in block and "13:32" in block
    assert page.find("a", href="https://meet.example.org/gps-panel") is not None
