"""The one way a page finds the thing its URL names, or answers 404."""

from flask import abort
from sqlalchemy import bindparam, select
from sqlalchemy.orm import lazyload

from eventsvc.extensions import db
from eventsvc.models import Event, EventStatus

#: The statuses whose page visitors may see (the event list, its page, its calendar files).
PUBLIC_STATUSES = (EventStatus.PUBLISHED, EventStatus.CANCELLED, EventStatus.POSTPONED)

# Built once (SQLAlchemy caches the compiled form by statement): the registration burst looks an
# event up on every POST, and a cached page or a registration needs the event's columns only.
_EVENT_BY_SLUG = select(Event).where(Event.slug == bindparam("slug"))
_EVENT_ONLY_BY_SLUG = _EVENT_BY_SLUG.options(lazyload("*"))


def event_or_404(slug: str, *, public: bool = False, with_texts: bool = True) -> Event:
    """The event at ``slug``, or a 404.

    ``public``: a 404 too for an event visitors may not see (a draft). ``with_texts=False``
    leaves its texts and partners unloaded, for pages that do not show them.
    """
    query = _EVENT_BY_SLUG if with_texts else _EVENT_ONLY_BY_SLUG
    event = db.session.scalar(query, {"slug": slug})
    if event is None or (public and event.status not in PUBLIC_STATUSES):
        abort(404)
    return event
