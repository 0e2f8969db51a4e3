"""The version of an event's public page, raised by the services that change what it shows.

Rendered pages are cached per process keyed by ``Event.content_version``
(:mod:`eventsvc.public.page_cache`), so every service that changes an event's columns, its texts,
its partner list, or a partner's own name, website or logo calls one of these in the same
transaction. The increment is done in SQL, so that two concurrent edits both count. A
registration or a seat count is not a change of the page (its fullness is keyed apart).
"""

from sqlalchemy import select, update

from eventsvc.extensions import db
from eventsvc.models import Event, EventPartner


def event_changed(event: Event) -> None:
    """``event``'s page shows something new (a new event starts at version 1)."""
    event.content_version = Event.content_version + 1


def partner_changed(partner_id: int) -> None:
    """The page of every event listing the partner shows something new."""
    events = Event.__table__
    linked = select(EventPartner.event_id).where(EventPartner.partner_id == partner_id)
    db.session.execute(
        update(events)
        .where(events.c.id.in_(linked))
        .values(content_version=events.c.content_version + 1)
    )
