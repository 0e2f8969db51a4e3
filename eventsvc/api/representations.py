"""What the API says about an event, a partner and a registration: the JSON shapes of the
OpenAPI document's schemas (``Event``, ``EventSummary``, ``Partner``, ``Registration``)."""

from datetime import datetime
from zoneinfo import ZoneInfo

from flask import request

from eventsvc import clock
from eventsvc.models import Event, EventStatus, Partner, Registration
from eventsvc.services import attendance, questions, registrations
from eventsvc.urls import external_url

#: The registration fields the API shows, in the form's order (the built-in ones).
REGISTRATION_FIELDS = (
    "full_name",
    "email",
    "organisation",
    "country",
    "language",
    "interpretation_language",
    "question_for_speakers",
    "newsletter",
    "timezone",
)


def instant(value: datetime | None, zone: str) -> str | None:
    """ISO 8601 with the offset the event's zone has at that instant."""
    if value is None:
        return None
    return value.astimezone(ZoneInfo(zone)).isoformat()


def utc(value: datetime | None) -> str | None:
    return None if value is None else value.astimezone(ZoneInfo("UTC")).isoformat()


def registration_state(event: Event) -> dict:
    """``open`` (a place), ``waitlist`` (open, but a new registration waits) or ``closed``,
    with why (``cancelled``, ``postponed``, ``not_published``, ``started``, ``deadline``)."""
    reason = registrations.closed_reason(event)
    if reason is None:
        left = registrations.seats_left(event)
        return {"state": "waitlist" if left == 0 else "open", "closed_because": None}
    if event.status == EventStatus.CANCELLED:
        why = "cancelled"
    elif event.status == EventStatus.POSTPONED:
        why = "postponed"
    elif event.status != EventStatus.PUBLISHED:
        why = "not_published"
    elif event.starts_at <= clock.now():
        why = "started"
    else:
        why = "deadline"
    return {"state": "closed", "closed_because": why}


def partner(value: Partner) -> dict:
    return {
        "acronym": value.acronym,
        "website": value.website or None,
        "names": {t.locale: t.name for t in value.translations if t.name},
    }


def event(value: Event, *, full: bool) -> dict:
    texts = {}
    for content in value.contents:
        if not content.title:
            continue
        texts[content.locale] = {"title": content.title, "summary": content.summary}
        if full:
            texts[content.locale]["description"] = content.description
    state = registration_state(value)
    body = {
        "slug": value.slug,
        "status": value.status.value,
        "timezone": value.timezone,
        "starts_at": instant(value.starts_at, value.timezone),
        "ends_at": instant(value.ends_at, value.timezone),
        "floor_language": value.floor_language,
        "languages": value.languages,
        "interpretation_languages": value.interpreted_languages,
        "texts": texts,
        "partners": [partner(p) for p in value.partners],
        "capacity": value.capacity,
        "seats_left": registrations.seats_left(value),
        "registration": {
            **state,
            "closes_at": instant(value.registration_closes_at, value.timezone),
            "page_urls": _page_urls(value),
            "calendar_url": external_url("public.event_calendar", slug=value.slug),
        },
        "url": external_url("api.event", slug=value.slug),
        "updated_at": utc(value.updated_at),
    }
    return body


def _page_urls(value: Event) -> dict[str, str]:
    """The event's page (with its registration form) in each language it has a text in."""
    return {
        locale: external_url("public.event", lang=locale, slug=value.slug, _anchor="register")
        for locale in value.text_locales
    }


def registration(value: Registration, *, position: int | None = None) -> dict:
    erased = value.anonymised_at is not None
    body = {
        "id": value.id,
        "event": value.event.slug,
        "status": value.status.value,
        "waitlist_position": position,
        "awaits_address_confirmation": value.awaits_address_confirmation,
        "fields": {key: None if erased else getattr(value, key) for key in REGISTRATION_FIELDS},
        "answers": _answers(value),
        "attendance": _attendance(value),
        "created_at": utc(value.created_at),
        "promoted_at": utc(value.promoted_at),
        "cancelled_at": utc(value.cancelled_at),
        "erased": erased,
    }
    return body


def _answers(value: Registration) -> dict:
    if value.anonymised_at is not None:
        return {}
    return dict(questions.answers_for(value))


def _attendance(value: Registration) -> dict | None:
    """From the imported reports, ``None`` before any row is theirs. The event's records are
    read once per request (kept on the request: a list of many registrations, one query)."""
    cache = request.__dict__.setdefault("_api_attendance", {})
    if value.event_id not in cache:
        cache[value.event_id] = attendance.attendance_by_registration(value.event_id)
    record = cache[value.event_id].get(value.id)
    if record is None:
        return None
    return {"attended": record.attended, "minutes": record.minutes}
