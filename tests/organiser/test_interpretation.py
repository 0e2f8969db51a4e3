"""Interpretation answers: "no preference", "I follow the floor language" and each language are
told apart from the form to the statistics and the attendee filter (issue 13, point 1)."""

import csv
import io
import re

import pytest
from bs4 import BeautifulSoup

from eventsvc.models.registration import FOLLOWS_FLOOR
from eventsvc.unit_of_work import unit_of_work

STATS = "/organiser/events/gps/stats"
ATTENDEES = "/organiser/events/gps/registrations"


@pytest.fixture
def event(make_event):
    """French floor, interpretation into English and Spanish, two places."""
    return make_event(slug="gps", capacity=2, interpretation_languages=("en", "es"))


@pytest.fixture
def answers(event, make_registration):
    """Five people: two with no preference, one on the floor, one English (waitlisted), one
    Spanish (waitlisted)."""
    return {
        "nopref1": make_registration(event, language="en"),
        "floor": make_registration(event, interpretation_language=FOLLOWS_FLOOR),
        "nopref2": make_registration(event, language="en"),
        "english": make_registration(event, interpretation_language="en"),
        "spanish": make_registration(event, interpretation_language="es"),
    }


def test_stats_count_each_interpretation_language_and_the_floor_apart_from_no_preference(
    signed_in, answers
):
    response = signed_in.get(f"{STATS}.csv", query_string={"table": "interpretation"})
    rows = list(csv.reader(io.StringIO(response.get_data(as_text=True).lstrip("\ufeff"))))
    assert rows[1:] == [
        ["en", "English", "0", "1", "1"],
        ["es", "Spanish", "0", "1", "1"],
        ["floor", "Floor language, no interpretation", "1", "0", "1"],
        ["", "No preference", "1", "1", "2"],
    ]


def test_stats_page_shows_the_interpretation_table_with_confirmed_and_with_waitlist(
    signed_in, answers
):
    soup = BeautifulSoup(signed_in.get(STATS).data, "html.parser")
    table = soup.find(id="by-interpretation-heading").find_parent("section").find("table")
    rows = [
        [cell.get_text(strip=True) for cell in row.find_all(["th", "td"])]
        for row in table.tbody("tr")
    ]
    assert [(row[0], row[1], row[3]) for row in rows] == [
        ("English", "0", "1"),
        ("Spanish", "0", "1"),
        ("Floor language, no interpretation", "1", "1"),
        ("No preference", "1", "2"),
    ]


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("floor", ["floor"]),
        ("no-preference", ["nopref1", "nopref2"]),
        ("en", ["english"]),
    ],
)
def test_the_attendee_filter_uses_the_same_answers(signed_in, answers, value, expected):
    response = signed_in.get(ATTENDEES, query_string={"interpretation": value})
    soup = BeautifulSoup(response.data, "html.parser")
    choices = [option["value"] for option in soup.find(id="interpretation")("option")]
    assert choices == ["", "en", "es", "floor", "no-preference"]
    html = response.get_data(as_text=True)
    listed = {int(n) for n in re.findall(r'id="registration-(\d+)"', html)}
    assert listed == {answers[key].id for key in expected}


def test_an_event_listing_its_floor_language_as_interpreted_offers_it_nowhere(
    make_event, make_registration
):
    """The floor language among the interpretation languages (as an editor may save it) is not
    a language to interpret into: not on the form, not on the personal page, not in the
    statistics."""
    from eventsvc.services import DomainError, registrations, stats

    event = make_event(slug="both", interpretation_languages=("fr", "en"))  # floor: French
    person = make_registration(event)

    with pytest.raises(DomainError), unit_of_work():
        registrations.change_preferences(person, "fr", "fr")
    assert [item.value for item in stats.interpretation_breakdown(event)] == [
        "en",
        FOLLOWS_FLOOR,
        "",
    ]
