"""The form's interpretation question: "no preference", "I follow the floor language" and each
interpretation language are three kinds of answer, stored as given (issue 13, point 1)."""

import pytest
from bs4 import BeautifulSoup
from sqlalchemy import select

from eventsvc.extensions import db
from eventsvc.models import Registration
from eventsvc.models.registration import FOLLOWS_FLOOR


@pytest.fixture
def event(make_event):
    return make_event(slug="gps", interpretation_languages=("en", "es"))


def test_the_form_stores_no_preference_and_the_floor_language_as_different_answers(
    client, event, form_data
):
    client.post("/en/events/gps/register", data=form_data(interpretation_language=""))
    client.post(
        "/en/events/gps/register",
        data=form_data(email="b@example.org", interpretation_language=FOLLOWS_FLOOR),
    )
    client.post(
        "/en/events/gps/register",
        data=form_data(email="c@example.org", interpretation_language="es"),
    )

    stored = db.session.scalars(
        select(Registration.interpretation_language).order_by(Registration.id)
    ).all()
    assert stored == [None, FOLLOWS_FLOOR, "es"]


def test_the_form_names_the_floor_language_and_no_longer_offers_it_as_interpretation(client, event):
    soup = BeautifulSoup(client.get("/en/events/gps").data, "html.parser")
    options = {
        option["value"]: option.get_text(strip=True)
        for option in soup.find(id="interpretation_language")("option")
    }
    assert options == {
        "": "No preference",
        "floor": "None: I follow the floor language (French)",
        "en": "English",
        "es": "Spanish",
    }


@pytest.mark.parametrize(
    ("sent", "stored"),
    [("America/New_York", "America/New_York"), ("Mars/Olympus_Mons", ""), ("", "")],
)
def test_the_zone_the_browser_reported_is_kept_only_if_zoneinfo_knows_it(
    client, event, form_data, sent, stored
):
    response = client.post("/en/events/gps/register", data=form_data(timezone=sent))

    assert response.status_code == 303
    assert db.session.scalar(select(Registration.timezone)) == stored


def test_the_form_carries_a_hidden_zone_field_for_the_script(client, event):
    soup = BeautifulSoup(client.get("/en/events/gps").data, "html.parser")
    zone = soup.find("input", attrs={"name": "timezone"})
    assert zone["type"] == "hidden" and zone.has_attr("data-browser-zone")
