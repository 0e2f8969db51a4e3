"""The audit log: who created, changed, published, cancelled or imported what, and when.

Entries are added to the caller's transaction, so an entry exists exactly when its change does.
"""

from flask_babel import lazy_gettext as _l
from flask_babel import lazy_pgettext
from sqlalchemy import select

from eventsvc.extensions import db
from eventsvc.models import AuditEntry, Event, Organiser

CREATED = "created"
UPDATED = "updated"
PUBLISHED = "published"
CANCELLED = "cancelled"
IMPORTED = "imported"

#: Labels for the organiser pages, one per action.
ACTION_LABELS = {
    CREATED: _l("Created"),
    UPDATED: _l("Changed"),
    PUBLISHED: lazy_pgettext("audit action", "Published"),
    CANCELLED: lazy_pgettext("audit action", "Cancelled"),
    IMPORTED: _l("Imported"),
    # Recorded by other services:
    "announcement_sent": _l("Announcement sent"),
    "registration_erased": _l("Registration erased"),
    "registrations_purged": _l("Registrations anonymised"),
    "held_mail_released": _l("Held mail let go"),
    "held_mail_discarded": _l("Held mail discarded"),
}


def record(
    action: str, event: Event | None = None, actor: Organiser | None = None, **details
) -> AuditEntry:
    """Add an entry to the current transaction; the caller commits.

    ``actor`` is the signed-in organiser, or ``None`` for the command line and imports.
    ``details`` must be JSON-serialisable (strings, numbers, lists, dicts).
    """
    entry = AuditEntry(
        action=action,
        event_id=event.id if event is not None else None,
        organiser_id=actor.id if actor is not None else None,
        details=details,
    )
    db.session.add(entry)
    return entry


def history(event: Event) -> list[AuditEntry]:
    """The entries about ``event``, newest first."""
    return list(
        db.session.scalars(
            select(AuditEntry)
            .where(AuditEntry.event_id == event.id)
            .order_by(AuditEntry.created_at.desc(), AuditEntry.id.desc())
        )
    )
