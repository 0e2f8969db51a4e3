"""Statistics of the event's own questions: counts per option, confirmed and with the
waitlist; the accessibility needs and sign languages; a CSV per question."""

import csv
import io

import pytest

from eventsvc.extensions import db
from eventsvc.services import questions, stats
from eventsvc.services.registrations import cancel
from eventsvc.unit_of_work import unit_of_work
from tests.public.html import page, text
from tests.services.test_questions import age_groups, answer, breakout, role

URL = "/organiser/events/gps-launch/stats"


@pytest.fixture
def event(make_event):
    event = make_event(slug="gps-launch", capacity=2)
    accessibility = {"key": "accessibility", "type": "accessibility"}
    first = {
        "key": "first",
        "type": "boolean",
        "label": {"en": "First time?", "fr": "Première fois ?"},
    }
    with unit_of_work():
        questions.set_questions(
            db.session.merge(event), [role(), age_groups(), breakout(), first, accessibility]
        )
    lsf = {"needs": ["sign_language", "captions"], "sign_language": "lsf", "other": ""}
    answer(event, "a@example.org", role="teacher", age_groups=["under3"], accessibility=lsf)
    answer(event, "b@example.org", role="teacher", age_groups=["under3", "age3to6"], first=True)
    answer(event, "c@example.org", role="ngo", accessibility=lsf, first=False)  # waitlisted
    gone = answer(event, "d@example.org", role="official")
    with unit_of_work():
        cancel(gone)
    return event


def counts(event, key):
    question = next(q for q in stats.counted_questions(event) if q.key == key)
    return {
        item.key: (item.confirmed, item.waitlisted)
        for item in stats.question_counts(question, "en")
    }


def test_counts_per_option_confirmed_and_with_the_waitlist(event):
    assert counts(event, "role") == {"teacher": (2, 0), "official": (0, 0), "ngo": (0, 1)}
    assert counts(event, "age_groups") == {"under3": (2, 0), "age3to6": (1, 0)}
    assert counts(event, "first") == {"yes": (1, 0), "no": (0, 1)}
    assert counts(event, "accessibility") == {
        "captions": (1, 1),
        "sign_language": (1, 1),
        "other": (0, 0),
        "sign:lsf": (1, 1),
    }


def test_the_stats_page_shows_each_question(signed_in, event):
    signed_in.get("/locale/fr")
    soup = page(signed_in.get(URL))
    section = soup.select_one("[data-question=accessibility]")
    assert "Besoins d’accessibilité" in text(section.h2)
    row = section.select_one("tr[data-key='sign:lsf']")
    assert text(row) == "Langue des signes française (LSF) 1 1 2"
    places = soup.select_one("[data-question=breakout] tr[data-key=policy]")
    assert text(places).endswith("1")


def test_a_csv_per_question(signed_in, event):
    response = signed_in.get(f"{URL}.csv?table=q-role")
    assert response.status_code == 200
    rows = list(csv.reader(io.StringIO(response.get_data(as_text=True).lstrip("\ufeff"))))
    assert rows[0][1] == "Your role"
    assert rows[1][:5] == ["teacher", "Teacher", "2", "0", "2"]
    assert signed_in.get(f"{URL}.csv?table=q-nothing").status_code == 404
