"""The statistics page draws a bar chart for each choice question (issue 16) and each yes/no
question: one bar per option (yes, no), confirmed then waitlisted, its places; none for a
question nobody answered."""

from types import SimpleNamespace

import pytest

from eventsvc.extensions import db
from eventsvc.organiser.stats_chart import option_chart
from eventsvc.services import questions
from eventsvc.unit_of_work import unit_of_work
from tests.public.html import page, text
from tests.services.test_questions import answer, breakout, role

URL = "/organiser/events/gps-launch/stats"


@pytest.fixture
def event(make_event):
    event = make_event(slug="gps-launch", capacity=2)
    with unit_of_work():
        questions.set_questions(db.session.merge(event), [role(), breakout()])
    answer(event, "a@example.org", role="teacher")
    answer(event, "b@example.org", role="teacher")
    answer(event, "c@example.org", role="ngo")  # waitlisted: the event holds two
    return event


def test_each_answered_choice_question_has_its_chart(signed_in, event):
    soup = page(signed_in.get(URL))
    role_chart = soup.select_one("[data-question=role] svg[role=img]")
    assert role_chart is not None
    assert "Your role" in text(role_chart.select_one("title"))
    bars = {
        text(rect.select_one("title")): float(rect["width"]) for rect in role_chart.select("rect")
    }
    teacher = next(width for title, width in bars.items() if "Teacher" in title)
    ngo = next(width for title, width in bars.items() if "Waitlisted" in title)
    assert teacher == pytest.approx(2 * ngo)  # two confirmed teachers, one waitlisted
    assert soup.select_one("[data-question=breakout] svg") is None  # nobody answered it


def test_a_yes_no_question_is_charted_like_a_choice(signed_in, make_event):
    event = make_event(slug="gps-launch", capacity=2)
    first = {"key": "first", "type": "boolean", "label": {"en": "First time?", "fr": "Q"}}
    unasked = {"key": "again", "type": "boolean", "label": {"en": "Again?", "fr": "Q"}}
    with unit_of_work():
        questions.set_questions(db.session.merge(event), [first, unasked])
    answer(event, "a@example.org", first=True)
    answer(event, "b@example.org", first=True)
    answer(event, "c@example.org", first=False)  # waitlisted: the event holds two
    soup = page(signed_in.get(URL))
    chart = soup.select_one("[data-question=first] svg[role=img]")
    assert chart is not None
    assert "First time?" in text(chart.select_one("title"))
    bars = {text(rect.select_one("title")): float(rect["width"]) for rect in chart.select("rect")}
    assert set(bars) == {"Yes: Confirmed 2", "No: Confirmed 0", "No: Waitlisted 1"}
    assert bars["Yes: Confirmed 2"] == pytest.approx(2 * bars["No: Waitlisted 1"])
    assert bars["No: Confirmed 0"] == 0
    assert soup.select_one("[data-question=again] svg") is None  # nobody answered it


def test_the_chart_s_geometry():
    rows = [
        SimpleNamespace(label="Play", confirmed=3, waitlisted=1, places=20),
        SimpleNamespace(label="Policy", confirmed=0, waitlisted=0, places=None),
    ]
    chart = option_chart(rows)
    assert chart.largest == 4
    play, policy = chart.bars
    assert play.confirmed_width == pytest.approx(3 * play.waitlisted_width)
    assert policy.confirmed_width == policy.waitlisted_width == 0
    assert policy.y > play.y and chart.height > policy.y + chart.bar_height
    assert option_chart([SimpleNamespace(label="x", confirmed=0, waitlisted=0)]) is None
