"""The anonymous API: events with their filters, one event, partners, CORS, pagination and
problem details (RFC 9457) for every error, never an HTML page."""

from datetime import timedelta

import pytest

from eventsvc.models import EventStatus

PROBLEM = "application/problem+json"


@pytest.fixture
def events(app, make_event, make_partner):
    omep = make_partner("OMEP")
    unesco = make_partner("UNESCO")
    made = {
        "paris": make_event("paris", partners=[omep], title={"en": "Paris", "fr": "Paris FR"}),
        "lima": make_event(
            "lima",
            start="2026-12-10T09:00",
            end="2026-12-10T10:00",
            timezone="America/Lima",
            floor_language="es",
            interpretation_languages=(),
            partners=[unesco],
            title={"es": "Lima ES", "en": "Lima"},
        ),
        "full": make_event("full", start="2026-12-08T10:00", end="2026-12-08T11:00", capacity=0),
        "draft": make_event("draft", status=EventStatus.DRAFT),
        "past": make_event("past", start="2026-11-01T10:00", end="2026-11-01T11:00"),
        "cancelled": make_event(
            "cancelled",
            start="2026-12-20T10:00",
            end="2026-12-20T11:00",
            status=EventStatus.CANCELLED,
        ),
    }
    return made


def _slugs(response):
    assert response.status_code == 200, response.get_data(as_text=True)
    return [e["slug"] for e in response.get_json()["data"]]


def test_lists_the_public_events_not_over_yet_by_start(client, events):
    assert _slugs(client.get("/api/v1/events")) == ["paris", "full", "lima", "cancelled"]


def test_an_event_carries_times_with_offset_and_zone_and_its_registration(client, events):
    body = client.get("/api/v1/events/lima").get_json()
    assert body["timezone"] == "America/Lima"
    assert body["starts_at"] == "2026-12-10T09:00:00-05:00"
    assert body["ends_at"] == "2026-12-10T10:00:00-05:00"
    assert body["languages"] == ["es"]
    assert body["texts"]["es"] == {
        "title": "Lima ES",
        "summary": "Summary es",
        "description": "**Description** es",
    }
    assert set(body["texts"]) == {"es", "en"}
    assert body["partners"][0]["acronym"] == "UNESCO"
    assert body["seats_left"] is None
    registration = body["registration"]
    assert registration["state"] == "open"
    assert registration["page_urls"]["es"] == "http://events.test/es/events/lima#register"
    assert registration["calendar_url"].endswith("/events/lima.ics")


def test_list_texts_leave_the_description_out(client, events):
    first = client.get("/api/v1/events?limit=1").get_json()["data"][0]
    assert "description" not in first["texts"]["en"]


def test_registration_state_says_full_and_closed(client, events):
    full = client.get("/api/v1/events/full").get_json()
    assert full["registration"]["state"] == "waitlist"
    assert full["seats_left"] == 0
    cancelled = client.get("/api/v1/events/cancelled").get_json()
    assert cancelled["registration"] == {
        **cancelled["registration"],
        "state": "closed",
        "closed_because": "cancelled",
    }


def test_filters(client, events):
    assert _slugs(client.get("/api/v1/events?language=es")) == ["lima"]
    assert _slugs(client.get("/api/v1/events?partner=OMEP")) == ["paris"]
    assert _slugs(client.get("/api/v1/events?open=true")) == ["paris", "full", "lima"]
    assert _slugs(client.get("/api/v1/events?open=false")) == ["cancelled"]
    assert _slugs(
        client.get("/api/v1/events?from=2026-10-01T00:00:00Z&to=2026-12-07T00:00:00%2B01:00")
    ) == ["past", "paris"]


def test_drafts_are_not_found(client, events):
    response = client.get("/api/v1/events/draft")
    assert response.status_code == 404
    assert response.mimetype == PROBLEM
    assert response.get_json()["status"] == 404


def test_cursor_pagination_walks_every_event_once(client, events, make_event):
    for n in range(7):
        make_event(f"more-{n}", start=f"2026-12-0{n + 1}T08:00", end=f"2026-12-0{n + 1}T09:00")
    seen, url = [], "/api/v1/events?limit=3"
    while url:
        body = client.get(url).get_json()
        seen += [e["slug"] for e in body["data"]]
        assert len(body["data"]) <= 3
        url = body["next_cursor"] and f"/api/v1/events?limit=3&cursor={body['next_cursor']}"
    assert len(seen) == len(set(seen)) == 11
    assert seen == _slugs(client.get("/api/v1/events?limit=200"))


def test_a_cursor_is_signed_and_bound_to_its_filters(client, events):
    cursor = client.get("/api/v1/events?limit=1").get_json()["next_cursor"]
    forged = client.get(f"/api/v1/events?cursor={cursor[:-2]}xx")
    assert forged.status_code == 400
    assert forged.get_json()["errors"] == [
        {"parameter": "cursor", "detail": "This cursor is not one this API gave out."}
    ]
    other = client.get(f"/api/v1/events?language=fr&cursor={cursor}")
    assert other.status_code == 400
    assert other.get_json()["errors"][0]["parameter"] == "cursor"


def test_bad_parameters_are_one_problem_naming_each(client, events):
    response = client.get("/api/v1/events?from=tomorrow&open=yes&limit=0&colour=red")
    assert response.status_code == 400
    assert response.mimetype == PROBLEM
    body = response.get_json()
    assert body["type"].endswith("#problem-invalid-parameters")
    assert {e["parameter"] for e in body["errors"]} == {"from", "open", "limit", "colour"}


def test_unknown_paths_and_methods_answer_problems_not_pages(client):
    missing = client.get("/api/v1/nothing-here")
    assert missing.status_code == 404 and missing.mimetype == PROBLEM
    assert client.get("/api/v2/events").mimetype == PROBLEM
    wrong = client.delete("/api/v1/events")
    assert wrong.status_code == 405 and wrong.mimetype == PROBLEM
    assert "GET" in wrong.headers["Allow"]
    assert client.get("/en/nothing-here").mimetype == "text/html"


def test_a_failure_is_a_problem_too(client, events, monkeypatch):
    from eventsvc.api import representations

    def broken(*args, **kwargs):
        raise RuntimeError("boom")

    monkeypatch.setattr(representations, "event", broken)
    client.application.config["PROPAGATE_EXCEPTIONS"] = False
    response = client.get("/api/v1/events/paris")
    assert response.status_code == 500
    assert response.mimetype == PROBLEM
    assert "boom" not in response.get_data(as_text=True)


def test_cors_is_open_on_the_api_only(client, events):
    response = client.get("/api/v1/events", headers={"Origin": "https://partner.example"})
    assert response.headers["Access-Control-Allow-Origin"] == "*"
    preflight = client.options(
        "/api/v1/events/paris/registrations",
        headers={
            "Origin": "https://partner.example",
            "Access-Control-Request-Method": "POST",
            "Access-Control-Request-Headers": "authorization, content-type",
        },
    )
    assert preflight.status_code == 200
    assert "Authorization" in preflight.headers["Access-Control-Allow-Headers"]
    assert "POST" in preflight.headers["Access-Control-Allow-Methods"]
    page = client.get("/en/", headers={"Origin": "https://partner.example"})
    assert "Access-Control-Allow-Origin" not in page.headers


def test_partners_and_languages(client, events):
    partners = client.get("/api/v1/partners").get_json()["data"]
    assert [p["acronym"] for p in partners] == ["OMEP", "UNESCO"]
    assert partners[0]["names"]["fr"] == "OMEP (fr)"
    assert client.get("/api/v1/languages").get_json()["data"] == ["en", "fr", "es"]


def test_seats_left_follow_registrations(client, make_event, make_registration):
    event = make_event("small", capacity=2)
    make_registration(event)
    assert client.get("/api/v1/events/small").get_json()["seats_left"] == 1


def test_an_event_over_leaves_the_default_list(client, events, frozen_clock):
    frozen_clock.advance(timedelta(days=18))
    assert _slugs(client.get("/api/v1/events")) == ["lima", "cancelled"]


@pytest.mark.parametrize("lang", ["en", "fr", "es"])
def test_the_docs_page_renders_in_each_language(client, lang):
    client.get(f"/locale/{lang}")
    page = client.get("/api/v1/docs")
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert "createRegistration" in html and f'<html lang="{lang}" dir="ltr">' in html
    assert "<script" not in html  # a plain page: nothing from a CDN, nothing to run
