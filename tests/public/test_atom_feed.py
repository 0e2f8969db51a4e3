"""``/<lang>/events.atom``: upcoming published events, valid Atom read by a real parser."""

import xml.etree.ElementTree as ET
from datetime import timedelta

import feedparser
import pytest

from eventsvc.extensions import db

ATOM = "{http://www.w3.org/2005/Atom}"


def parse(response):
    feed = feedparser.parse(response.get_data())
    assert not feed.bozo, feed.get("bozo_exception")
    assert feed.version == "atom10"
    return feed


def test_feed_lists_upcoming_published_events_soonest_first(app, client, make_event, frozen_clock):
    later = make_event(slug="later", title={"fr": "Plus tard", "en": "Later"})
    later.starts_at += timedelta(days=7)
    later.ends_at += timedelta(days=7)
    db.session.commit()
    make_event(slug="soon", title={"fr": "Bientôt <&> « test »", "en": "Soon"})
    make_event(slug="draft", status="draft")
    past = make_event(slug="past")
    past.starts_at -= timedelta(days=60)
    past.ends_at -= timedelta(days=60)
    db.session.commit()

    response = client.get("/fr/events.atom")

    assert response.status_code == 200
    assert response.mimetype == "application/atom+xml"
    feed = parse(response)
    base = app.config["PUBLIC_BASE_URL"]
    assert feed.feed.id == f"{base}/fr/events.atom"
    assert feed.feed.language == "fr"
    assert [entry.title for entry in feed.entries] == ["Bientôt <&> « test »", "Plus tard"]
    first = feed.entries[0]
    assert first.id == first.link == f"{base}/fr/events/soon"
    assert "2026" in first.summary
    # Every entry has what RFC 4287 requires: id, title, updated; the feed an author.
    root = ET.fromstring(response.get_data())
    assert root.tag == f"{ATOM}feed"
    for entry in root.findall(f"{ATOM}entry"):
        assert all(entry.find(f"{ATOM}{tag}") is not None for tag in ("id", "title", "updated"))
    assert root.find(f"{ATOM}author/{ATOM}name").text


@pytest.mark.parametrize("lang", ["en", "es"])
def test_feed_in_each_language_and_when_empty(client, lang):
    feed = parse(client.get(f"/{lang}/events.atom"))
    assert feed.entries == []
    assert feed.feed.language == lang


def test_event_list_links_its_feed(app, client):
    from tests.public.html import page

    link = page(client.get("/es/")).find("link", type="application/atom+xml")
    assert link["href"] == f"{app.config['PUBLIC_BASE_URL']}/es/events.atom"
