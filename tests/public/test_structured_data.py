"""Event pages carry schema.org Event JSON-LD and the oEmbed discovery link."""

import json
from datetime import datetime

import pytest

from tests.public.html import page


def json_ld(response) -> dict:
    [block] = page(response).find_all("script", type="application/ld+json")
    return json.loads(block.string)


def test_event_page_describes_an_online_event(app, client, make_event, make_partner):
    partner = make_partner("UNESCO", website="https://www.unesco.org")
    make_event(
        slug="gps",
        title={"fr": "Lancement", "en": "Launch"},
        partners=[partner],
        online_url="https://zoom.example/j/123456",
        capacity=10,
    )

    response = client.get("/fr/events/gps")
    data = json_ld(response)

    base = app.config["PUBLIC_BASE_URL"]
    assert data["@context"] == "https://schema.org"
    assert data["@type"] == "Event"
    assert data["name"] == "Lancement"
    assert data["eventAttendanceMode"] == "https://schema.org/OnlineEventAttendanceMode"
    assert data["eventStatus"] == "https://schema.org/EventScheduled"
    assert data["location"] == {"@type": "VirtualLocation", "url": f"{base}/fr/events/gps"}
    assert "zoom.example" not in response.get_data(as_text=True)
    assert data["organizer"] == [
        {"@type": "Organization", "name": "UNESCO (fr)", "url": "https://www.unesco.org"}
    ]
    assert data["inLanguage"][0] == "fr"
    start = datetime.fromisoformat(data["startDate"])
    assert start.utcoffset() is not None and start < datetime.fromisoformat(data["endDate"])
    offer = data["offers"]
    assert offer["@type"] == "Offer"
    assert offer["availability"] == "https://schema.org/InStock"
    assert offer["url"] == f"{base}/fr/events/gps"


def test_no_offer_when_registration_is_closed_and_cancelled_status(client, make_event):
    make_event(slug="gps", status="cancelled")
    data = json_ld(client.get("/en/events/gps"))
    assert data["eventStatus"] == "https://schema.org/EventCancelled"
    assert "offers" not in data


def test_a_full_event_offers_no_place(client, make_event, make_registration):
    event = make_event(slug="gps", capacity=1)
    make_registration(event)
    assert json_ld(client.get("/en/events/gps"))["offers"]["availability"].endswith("SoldOut")


def test_the_data_cannot_break_out_of_its_script(client, make_event):
    make_event(slug="gps", title={"en": "</script><script>alert(1)</script>", "fr": "x"})
    response = client.get("/en/events/gps")
    assert json_ld(response)["name"] == "</script><script>alert(1)</script>"
    assert "<script>alert(1)" not in response.get_data(as_text=True)


@pytest.mark.parametrize("lang", ["en", "fr", "es"])
def test_event_page_links_its_oembed(app, client, make_event, lang):
    make_event(slug="gps")
    html = page(client.get(f"/{lang}/events/gps"))
    link = html.find("link", type="application/json+oembed")
    base = app.config["PUBLIC_BASE_URL"]
    assert link["href"].startswith(f"{base}/oembed?")
    answer = client.get(link["href"].removeprefix(base))
    assert answer.status_code == 200
    assert f'src="{base}/embed/{lang}/events/gps"' in answer.json["html"]
