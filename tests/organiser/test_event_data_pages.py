"""The pages about one event's data share one layout (organiser/event_data_layout.html): each
has its heading in the tab's title and the page's h1, the event's title beside it, the event's
sub-navigation and the data style sheet, in the organiser's language."""

import pytest
from bs4 import BeautifulSoup

from eventsvc.models import RegistrationStatus

PAGES = {
    "registrations": ("Attendees", "Participants"),
    "stats": ("Statistics", "Statistiques"),
    "attendance": ("Attendance", "Présence"),
    "attendance/upload": ("Upload a participant report", None),
    "attendance/unmatched": ("Unmatched rows", None),
    "announce": ("Send an announcement", None),
    "follow-up": ("Follow-up and certificates", None),
    "reminders": ("Reminders", None),
    "registrations/{confirmed}/cancel": ("Cancel a registration", None),
    "registrations/{confirmed}/erase": ("Erase personal data", None),
    "registrations/{waitlisted}/promote": ("Promote from the waitlist", None),
}


@pytest.fixture
def people(make_event, make_registration):
    event = make_event(slug="gps-launch", capacity=1, title={"en": "GPS launch", "fr": "Lancement"})
    confirmed = make_registration(event, email="ana@example.org")
    waitlisted = make_registration(event, email="ben@example.org")
    assert waitlisted.status == RegistrationStatus.WAITLISTED
    return {"confirmed": confirmed.id, "waitlisted": waitlisted.id}


@pytest.mark.parametrize("path", PAGES)
def test_each_event_data_page_has_its_heading_title_and_navigation(signed_in, people, path):
    heading, french = PAGES[path]
    response = signed_in.get(f"/organiser/events/gps-launch/{path.format(**people)}")
    assert response.status_code == 200
    doc = BeautifulSoup(response.text, "html.parser")
    assert doc.title.get_text() == f"{heading} · GPS launch · Organiser workspace"
    h1 = doc.select_one(".page-head h1")
    assert h1.get_text(" ", strip=True) == f"{heading} GPS launch"
    assert h1.select_one(".subtitle").get_text() == "GPS launch"
    assert doc.select_one("nav.event-subnav a[href='/organiser/events/gps-launch/stats']")
    assert doc.select_one("link[href$='css/organiser-data.css']")
    if french:
        signed_in.get("/locale/fr")
        page = BeautifulSoup(
            signed_in.get(f"/organiser/events/gps-launch/{path}").text, "html.parser"
        )
        assert page.select_one(".page-head h1").get_text(" ", strip=True) == f"{french} Lancement"
