"""``/oembed``: a CMS turns an event's address into the embed's frame."""

from urllib.parse import quote

import pytest
from bs4 import BeautifulSoup


def test_oembed_answers_a_rich_item_with_the_frame(app, client, make_event):
    make_event(slug="gps", title={"fr": "Lancement", "en": "Launch"})
    base = app.config["PUBLIC_BASE_URL"]

    response = client.get(f"/oembed?url={quote(base + '/fr/events/gps')}&format=json")

    assert response.status_code == 200
    assert response.mimetype == "application/json"
    data = response.json
    assert (data["version"], data["type"], data["title"]) == ("1.0", "rich", "Lancement")
    assert data["provider_url"] == base + "/"
    frame = BeautifulSoup(data["html"], "html.parser").find("iframe")
    assert frame["src"] == f"{base}/embed/fr/events/gps"
    assert frame["title"] == "Lancement"
    assert (int(frame["width"]), int(frame["height"])) == (data["width"], data["height"])


def test_oembed_keeps_within_the_consumers_maximum(app, client, make_event):
    make_event(slug="gps")
    url = quote(app.config["PUBLIC_BASE_URL"] + "/embed/en/events/gps")
    data = client.get(f"/oembed?url={url}&maxwidth=400&maxheight=300").json
    assert (data["width"], data["height"]) == (400, 300)


@pytest.mark.parametrize(
    "url",
    [
        "https://elsewhere.example/fr/events/gps",
        "{base}/fr/events/nope",
        "{base}/xx/events/gps",
        "{base}/fr/organiser/events/gps",
        "",
    ],
)
def test_oembed_refuses_other_addresses(app, client, make_event, url):
    make_event(slug="gps")
    url = url.format(base=app.config["PUBLIC_BASE_URL"])
    assert client.get(f"/oembed?url={quote(url)}").status_code == 404


def test_oembed_offers_json_only_and_no_draft(app, client, make_event):
    make_event(slug="gps", status="draft")
    url = quote(app.config["PUBLIC_BASE_URL"] + "/en/events/gps")
    assert client.get(f"/oembed?url={url}&format=xml").status_code == 501
    assert client.get(f"/oembed?url={url}").status_code == 404
