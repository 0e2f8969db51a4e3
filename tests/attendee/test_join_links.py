"""Personal join links, ``/<lang>/join/<token>`` (issue 18): waiting, open (counted, 302 to the
meeting), over (with the recording); dead for a cancelled, erased or re-secreted registration;
an unknown token is a plain 404."""

from datetime import timedelta
from urllib.parse import urlsplit

import pytest
from bs4 import BeautifulSoup

from eventsvc.extensions import db
from eventsvc.models import EventStatus, Registration
from eventsvc.services import joins, privacy, registrations, tokens
from eventsvc.unit_of_work import unit_of_work
from eventsvc.urls import join_url, manage_url

MEETING = "https://meet.example.org/gps-launch"
RECORDING = "https://video.example.org/gps-launch"


@pytest.fixture
def event(make_event):
    """13:30–14:30 in Paris on Sunday 6 December 2026; opens 30 minutes before, grace 30."""
    return make_event(slug="gps", online_url=MEETING)


@pytest.fixture
def person(event, make_registration) -> Registration:
    return make_registration(event, language="fr", full_name="Amina Dialo")


def path(registration) -> str:
    return urlsplit(join_url(registration)).path


def fresh(registration) -> Registration:
    db.session.expire_all()
    return db.session.get(Registration, registration.id)


def parse(response) -> BeautifulSoup:
    return BeautifulSoup(response.get_data(as_text=True), "html.parser")


def test_the_link_is_personal_in_the_registrants_language(person):
    url = join_url(person)

    assert url.startswith("http://localhost/fr/join/") or "/fr/join/" in url
    assert url.rsplit("/", 1)[1].startswith(f"{person.id}.")
    assert url != manage_url(person)


def test_an_open_link_records_the_opening_and_redirects_to_the_meeting(
    client, event, person, frozen_clock
):
    opened = event.starts_at - timedelta(minutes=30)
    frozen_clock.set(opened)

    response = client.get(path(person))

    assert response.status_code == 302
    assert response.headers["Location"] == MEETING
    assert response.headers["Cache-Control"] == "no-store"
    stored = fresh(person)
    assert (stored.join_count, stored.join_first_at, stored.join_last_at) == (1, opened, opened)


def test_every_opening_counts_and_the_first_is_kept(client, event, person, frozen_clock):
    first = event.starts_at - timedelta(minutes=5)
    frozen_clock.set(first)
    client.get(path(person))
    frozen_clock.advance(timedelta(minutes=20))
    client.get(path(person))
    frozen_clock.advance(timedelta(minutes=40))
    assert client.get(path(person)).status_code == 302

    stored = fresh(person)
    assert stored.join_count == 3
    assert stored.join_first_at == first
    assert stored.join_last_at == first + timedelta(minutes=60)


def test_the_link_stays_open_through_the_grace_period(client, event, person, frozen_clock):
    event.join_grace_minutes = 45
    db.session.commit()
    frozen_clock.set(event.ends_at + timedelta(minutes=44))

    assert client.get(path(person)).status_code == 302


def test_before_the_opening_a_waiting_page_counts_down_and_comes_back(
    client, event, person, frozen_clock
):
    frozen_clock.set(event.starts_at - timedelta(minutes=40))

    response = client.get("/en" + path(person)[3:])

    assert response.status_code == 200
    body = response.get_data(as_text=True)
    assert MEETING not in body
    doc = parse(response)
    assert doc.h1.get_text(strip=True) == "The meeting is not open yet"
    assert doc.select_one("[data-countdown]")["data-seconds"] == str(10 * 60 + 1)
    assert doc.select_one('meta[http-equiv="refresh"]')["content"] == "300"
    assert doc.select_one("a.join-retry")["href"] == "/en" + path(person)[3:]
    when = doc.select_one("time[data-localtime]")
    assert when["datetime"] == "2026-12-06T12:30:00Z"
    assert when["data-event-zone"] == "Europe/Paris"
    assert "13:00" in doc.get_text(" ", strip=True)
    assert fresh(person).join_count == 0


def test_the_waiting_page_refreshes_when_the_opening_is_near(client, event, person, frozen_clock):
    frozen_clock.set(event.starts_at - timedelta(minutes=30, seconds=20))

    doc = parse(client.get(path(person)))

    assert doc.select_one('meta[http-equiv="refresh"]')["content"] == "21"


def test_after_the_end_and_grace_the_over_page_offers_the_recording(
    client, event, person, frozen_clock
):
    event.recording_url = RECORDING
    db.session.commit()
    frozen_clock.set(event.ends_at + timedelta(minutes=30))

    response = client.get(path(person))

    assert response.status_code == 200
    doc = parse(response)
    assert doc.select_one("a.join-recording")["href"] == RECORDING
    assert MEETING not in response.get_data(as_text=True)
    assert fresh(person).join_count == 0


def test_the_over_page_without_a_recording_says_so(client, event, person, frozen_clock):
    frozen_clock.set(event.ends_at + timedelta(days=3))

    doc = parse(client.get("/en" + path(person)[3:]))

    assert doc.select_one("a.join-recording") is None
    assert "There is no recording to share." in doc.get_text(" ", strip=True)


def test_an_unknown_or_forged_token_is_a_plain_404(client, event, person, frozen_clock):
    frozen_clock.set(event.starts_at)
    good = path(person)

    assert client.get("/fr/join/nonsense").status_code == 404
    assert client.get(good[:-2] + "xx").status_code == 404
    assert client.get(f"/fr/join/{person.id + 1000}.abc").status_code == 404
    assert client.get("/xx" + good[3:]).status_code == 404


def test_the_manage_token_does_not_open_the_join_link_nor_the_reverse(
    client, event, person, frozen_clock
):
    frozen_clock.set(event.starts_at)

    assert client.get(f"/fr/join/{tokens.make_token(person)}").status_code == 404
    assert client.get(f"/fr/registrations/{joins.make_token(person)}").status_code == 404


def test_a_cancelled_registration_leads_nowhere_personal(client, event, person, frozen_clock):
    link = path(person)
    with unit_of_work():
        registrations.cancel(person)
    frozen_clock.set(event.starts_at)

    response = client.get(link)

    assert response.status_code == 200
    body = response.get_data(as_text=True)
    assert MEETING not in body and "Amina" not in body
    assert parse(response).h1.get_text(strip=True) == "Ce lien ne mène pas à la réunion"
    assert fresh(person).join_count == 0


def test_registering_again_after_cancelling_kills_the_old_link(
    client, event, person, make_registration, frozen_clock
):
    old = path(person)
    with unit_of_work():
        registrations.cancel(person)
    again = make_registration(event, email=person.email, language="fr")
    frozen_clock.set(event.starts_at)

    assert again.id == person.id
    assert client.get(old).status_code == 404
    assert client.get(path(again)).status_code == 302


def test_an_erased_registration_link_is_a_404(client, event, person, frozen_clock):
    link = path(person)
    with unit_of_work():
        privacy.erase_registration(person)
    frozen_clock.set(event.starts_at)

    assert client.get(link).status_code == 404


@pytest.mark.parametrize("status", [EventStatus.CANCELLED, EventStatus.POSTPONED])
def test_a_cancelled_or_postponed_event_does_not_lead_to_the_meeting(
    client, event, person, frozen_clock, status
):
    event.status = status
    db.session.commit()
    frozen_clock.set(event.starts_at)

    response = client.get(path(person))

    assert response.status_code == 200
    assert MEETING not in response.get_data(as_text=True)


def test_the_waitlisted_are_not_let_in(client, make_event, make_registration, frozen_clock):
    full = make_event(capacity=1, online_url=MEETING)
    make_registration(full)
    waiting = make_registration(full)
    frozen_clock.set(full.starts_at)

    response = client.get(path(waiting))

    assert response.status_code == 200
    assert MEETING not in response.get_data(as_text=True)


def test_openings_sum_up_for_the_organiser(event, make_registration, frozen_clock):
    first, second, _never = (make_registration(event) for _ in range(3))
    start = event.starts_at
    with unit_of_work():
        joins.record_opening(first, start - timedelta(minutes=10))
        joins.record_opening(second, start)
        joins.record_opening(first, start + timedelta(minutes=5))

    summary = joins.openings(event)

    assert summary == joins.Openings(
        2, 3, start - timedelta(minutes=10), start + timedelta(minutes=5)
    )


@pytest.mark.parametrize("lang", ["en", "fr", "es"])
def test_the_meeting_address_is_on_no_public_page_or_feed(
    client, event, person, frozen_clock, lang
):
    event.recording_url = RECORDING
    event.panelist_url = "https://meet.example.org/gps-panel"
    db.session.commit()
    frozen_clock.set(event.starts_at)
    public = [
        f"/{lang}/",
        f"/{lang}/events/gps",
        f"/{lang}/events/gps.ics",
        f"/{lang}/events.ics",
        "/events.ics",
        "/events/gps.ics",
    ]

    for address in public:
        response = client.get(address, headers={"Accept-Language": lang})
        assert response.status_code == 200, address
        assert b"meet.example.org" not in response.data, address
        assert b"/join/" not in response.data, address


def test_a_head_request_is_not_counted(client, event, person, frozen_clock):
    frozen_clock.set(event.starts_at)

    response = client.head(path(person))

    assert response.status_code == 302
    assert fresh(person).join_count == 0


def test_the_join_link_and_the_personal_page_keep_private_alike(
    client, event, person, frozen_clock
):
    """Both answer a personal token: never cached, indexed, or named as the Referer."""
    frozen_clock.set(event.starts_at - timedelta(hours=2))  # the join link's waiting page
    private = {
        "Cache-Control": "no-store",
        "X-Robots-Tag": "noindex",
        "Referrer-Policy": "no-referrer",
    }
    for url in (path(person), urlsplit(manage_url(person)).path):
        response = client.get(url)
        assert response.status_code == 200, url
        assert {name: response.headers.get(name) for name in private} == private, url
