"""schema.org ``Event`` data of an event's page (JSON-LD), for search engines and calendars.

Online events: ``eventAttendanceMode`` online, the ``location`` a ``VirtualLocation`` whose URL is
the event's public page (never the meeting address, which only registrants get), the partners
as organisers, the languages spoken, an ``Offer`` (free) while registration is open.
"""

from flask import current_app

from eventsvc import clock
from eventsvc.models import Event, EventStatus
from eventsvc.services.registrations import closed_reason, seats_left
from eventsvc.urls import public_url

SCHEMA = "https://schema.org/"

_STATUS = {
    EventStatus.PUBLISHED: "EventScheduled",
    EventStatus.CANCELLED: "EventCancelled",
    EventStatus.POSTPONED: "EventPostponed",
}


def _iso(instant, zone: str) -> str:
    return clock.to_wall(instant, zone).isoformat()


def event_json_ld(event: Event, locale: str) -> dict:
    content = event.content(locale)
    url = public_url("public.event", slug=event.slug, lang=locale)
    data = {
        "@context": "https://schema.org",
        "@type": "Event",
        "name": content.title,
        "url": url,
        "startDate": _iso(event.starts_at, event.timezone),
        "endDate": _iso(event.ends_at, event.timezone),
        "eventAttendanceMode": SCHEMA + "OnlineEventAttendanceMode",
        "eventStatus": SCHEMA + _STATUS.get(event.status, "EventScheduled"),
        "location": {"@type": "VirtualLocation", "url": url},
        "inLanguage": event.languages,
        "isAccessibleForFree": True,
        "organizer": _organizers(event, locale),
    }
    if content.summary:
        data["description"] = content.summary
    if event.status == EventStatus.PUBLISHED and closed_reason(event) is None:
        offer = {
            "@type": "Offer",
            "url": url,
            "price": 0,
            "availability": SCHEMA + ("InStock" if seats_left(event) != 0 else "SoldOut"),
            "validFrom": _iso(event.created_at, event.timezone),
        }
        if event.registration_closes_at is not None:
            offer["validThrough"] = _iso(event.registration_closes_at, event.timezone)
        data["offers"] = offer
    return data


def _organizers(event: Event, locale: str) -> list[dict]:
    organizers = []
    for partner in event.partners:
        organizer = {"@type": "Organization", "name": partner.text(locale).name or partner.acronym}
        if partner.website:
            organizer["url"] = partner.website
        organizers.append(organizer)
    if not organizers:
        name = current_app.config.get("ORGANIZER_NAME") or current_app.config.get("SITE_NAME")
        organizers.append(
            {
                "@type": "Organization",
                "name": name or "",
                "url": current_app.config["PUBLIC_BASE_URL"],
            }
        )
    return organizers
