"""Statistics: registrations over time, counts per country and language, and their CSV files."""

import csv
import io
import re
from datetime import timedelta

import pytest

from eventsvc.services import stats
from eventsvc.services.registrations import cancel
from eventsvc.unit_of_work import unit_of_work

URL = "/organiser/events/gps-launch/stats"


def parse_csv(data: bytes):
    return list(csv.reader(io.StringIO(data.decode("utf-8-sig"), newline="")))


@pytest.fixture
def event(make_event, make_registration, frozen_clock):
    """Two days of registrations with a day without any between them; capacity 3."""
    event = make_event(slug="gps-launch", capacity=3, interpretation_languages=("en", "es"))
    frozen_clock.set(frozen_clock.now - timedelta(days=2))
    make_registration(event, country="FR", language="fr", interpretation_language="en")
    make_registration(event, country="FR", language="en", interpretation_language="en")
    frozen_clock.advance(timedelta(days=2))
    make_registration(event, country="SN", language="fr")
    make_registration(event, country="SN", language="fr", interpretation_language="es")
    make_registration(event, country="", language="en", interpretation_language="en")
    gone = make_registration(event, country="BR", language="en", interpretation_language="es")
    with unit_of_work():
        cancel(gone)
    return event


def test_registrations_per_day_are_cumulative_with_empty_days(event):
    series = stats.registrations_per_day(event.id)
    assert [(item.day.isoformat(), item.new, item.cumulative) for item in series] == [
        ("2026-11-20", 2, 2),
        ("2026-11-21", 0, 2),
        ("2026-11-22", 4, 6),
    ]


def test_interpretation_counts_for_booking_interpreters(event):
    rows = {item.value: item for item in stats.breakdown(event.id, "interpretation")}
    assert (rows["en"].confirmed, rows["en"].waitlisted) == (2, 1)
    assert rows["en"].confirmed_and_waitlisted == 3
    assert (rows["es"].confirmed, rows["es"].waitlisted) == (0, 1)
    assert (rows[""].confirmed, rows[""].waitlisted) == (1, 0)


def test_cancelled_people_are_not_counted(event):
    countries = {
        item.value: item.confirmed_and_waitlisted for item in stats.breakdown(event.id, "country")
    }
    assert countries == {"FR": 2, "SN": 2, "": 1}
    assert "BR" not in countries


def test_status_counts(event):
    assert stats.status_counts(event.id) == {"confirmed": 3, "waitlisted": 2, "cancelled": 1}


def test_stats_page_draws_an_accessible_chart_and_tables(signed_in, event):
    signed_in.get("/locale/fr")
    response = signed_in.get(URL)
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert re.search(r'<svg[^>]*role="img"[^>]*aria-labelledby="chart-title chart-desc"', html)
    assert html.count("<rect ") == 3
    assert "Sénégal" in html
    assert "<script" not in html


def test_stats_page_without_registrations(signed_in, make_event):
    make_event(slug="gps-launch")
    response = signed_in.get(URL)
    assert response.status_code == 200
    assert "<svg" not in response.get_data(as_text=True)


@pytest.mark.parametrize(
    ("table", "expected"),
    [
        ("daily", [["2026-11-20", "2", "2"], ["2026-11-21", "0", "2"], ["2026-11-22", "4", "6"]]),
        (
            "country",
            [
                ["FR", "France", "2", "0", "2"],
                ["SN", "Senegal", "1", "1", "2"],
                ["", "Not given", "0", "1", "1"],
            ],
        ),
        ("language", [["fr", "French", "2", "1", "3"], ["en", "English", "1", "1", "2"]]),
        (
            "interpretation",
            [
                ["en", "English", "2", "1", "3"],
                ["es", "Spanish", "0", "1", "1"],
                ["floor", "Floor language, no interpretation", "0", "0", "0"],
                ["", "No preference", "1", "0", "1"],
            ],
        ),
    ],
)
def test_stats_csv_tables(signed_in, event, table, expected):
    response = signed_in.get(f"{URL}.csv", query_string={"table": table})
    assert response.status_code == 200
    assert response.is_streamed
    assert f"gps-launch-stats-{table}-2026-11-22.csv" in response.headers["Content-Disposition"]
    assert parse_csv(response.get_data())[1:] == expected


def test_unknown_stats_table_is_404(signed_in, event):
    assert signed_in.get(f"{URL}.csv", query_string={"table": "secrets"}).status_code == 404


def test_nice_steps():
    from eventsvc.organiser.stats_chart import nice_step

    assert [nice_step(n) for n in (1, 4, 9, 37, 120, 999, 100_000)] == [
        1,
        1,
        5,
        10,
        50,
        500,
        50_000,
    ]
