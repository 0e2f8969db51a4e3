"""Atom feeds of upcoming events, one per language (``/<lang>/events.atom``, RFC 4287).

Written with the standard library's ElementTree, never by string templates: every text is
escaped by the serializer. Entries are the published events still to come, soonest first; each
entry's id is the event's public address in that language, which never changes (slugs are
kept), and its ``updated`` is the event's last edit.
"""

import xml.etree.ElementTree as ET
from datetime import UTC

from flask import current_app, make_response
from flask_babel import gettext
from sqlalchemy import select

from eventsvc import clock
from eventsvc.extensions import db
from eventsvc.i18n import current_locale, format_event_span
from eventsvc.models import Event, EventStatus
from eventsvc.public import bp
from eventsvc.urls import public_url

ATOM = "http://www.w3.org/2005/Atom"
XML_LANG = "{http://www.w3.org/XML/1998/namespace}lang"
#: The most entries a feed carries.
FEED_LIMIT = 100


def _timestamp(instant) -> str:
    return instant.astimezone(UTC).isoformat().replace("+00:00", "Z")


def _element(parent, tag: str, text: str | None = None, **attributes) -> ET.Element:
    element = ET.SubElement(parent, tag, attributes)
    if text is not None:
        element.text = text
    return element


@bp.get("/events.atom")
def atom_feed():
    locale = current_locale()
    events = db.session.scalars(
        select(Event)
        .where(Event.status == EventStatus.PUBLISHED, Event.ends_at > clock.now())
        .order_by(Event.starts_at, Event.id)
        .limit(FEED_LIMIT)
    ).all()
    site = current_app.config.get("SITE_NAME") or gettext("Events")
    feed_url = public_url("public.atom_feed")

    # Unprefixed names in the Atom namespace, declared once on the root.
    feed = ET.Element("feed", {"xmlns": ATOM, XML_LANG: locale})
    _element(feed, "id", feed_url)
    _element(feed, "title", f"{site}: {gettext('Upcoming events')}")
    updated = max((event.updated_at for event in events), default=None)
    _element(feed, "updated", _timestamp(updated or clock.now()))
    _element(feed, "link", rel="self", type="application/atom+xml", href=feed_url)
    _element(feed, "link", rel="alternate", type="text/html", href=public_url("public.index"))
    author = _element(feed, "author")
    _element(author, "name", current_app.config.get("ORGANIZER_NAME") or site)
    _element(feed, "generator", "eventsvc")

    for event in events:
        content = event.content(locale)
        url = public_url("public.event", slug=event.slug)
        entry = _element(feed, "entry")
        if content.locale:
            entry.set(XML_LANG, content.locale)
        _element(entry, "id", url)
        _element(entry, "title", content.title)
        _element(entry, "updated", _timestamp(event.updated_at))
        _element(entry, "published", _timestamp(event.created_at))
        _element(entry, "link", rel="alternate", type="text/html", href=url)
        when = format_event_span(event.starts_at, event.ends_at, event.timezone, locale)
        summary = f"{when}\n\n{content.summary}" if content.summary else when
        _element(entry, "summary", summary, type="text")
        for partner in event.partners:
            _element(entry, "category", term=partner.acronym)

    body = ET.tostring(feed, encoding="utf-8", xml_declaration=True)
    response = make_response(body)
    response.mimetype = "application/atom+xml"
    response.charset = "utf-8"
    response.cache_control.public = True
    response.cache_control.max_age = 300
    return response
