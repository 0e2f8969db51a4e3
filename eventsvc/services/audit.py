"""The audit log: who created, changed, published, cancelled or imported what, and when.

Entries are added to the caller's transaction, so an entry exists exactly when its change does.
"""

from flask_babel import lazy_gettext as _l
from flask_babel import lazy_pgettext
from sqlalchemy import select

from eventsvc.extensions import db
from eventsvc.models import AuditEntry, Event, Organiser

CREATED = "created"
#: Created by duplicating another event (``details["source"]``: that event's slug).
COPIED = "created_as_copy"
#: The registration form (the event's questions) saved in the form builder.
FORM_SAVED = "registration_form_saved"
UPDATED = "updated"
PUBLISHED = "published"
CANCELLED = "cancelled"
IMPORTED = "imported"
EXPORTED = "registrations_exported"
#: An export that includes the answers to sensitive questions (health, disability): asked for.
EXPORTED_SENSITIVE = "registrations_exported_sensitive"
REOPENED = "reopened"
POSTPONED = "postponed"
REGISTRATION_CANCELLED = "registration_cancelled"
REGISTRATION_PROMOTED = "registration_promoted"
#: A seat came free and the first on the waitlist moved up, by itself.
REGISTRATION_MOVED_UP = "registration_moved_up"

#: Actions taken by the service itself, not by a person.
AUTOMATIC = frozenset({REGISTRATION_MOVED_UP})

#: Labels for the organiser pages, one per action.
ACTION_LABELS = {
    CREATED: _l("Created"),
    COPIED: _l("Created as a copy"),
    FORM_SAVED: _l("Registration form saved"),
    UPDATED: _l("Changed"),
    PUBLISHED: lazy_pgettext("audit action", "Published"),
    CANCELLED: lazy_pgettext("audit action", "Cancelled"),
    IMPORTED: _l("Imported"),
    REOPENED: _l("Re-opened"),
    POSTPONED: _l("Postponed"),
    REGISTRATION_CANCELLED: _l("Registration cancelled by the organisers"),
    REGISTRATION_PROMOTED: _l("Promoted from the waitlist by the organisers"),
    REGISTRATION_MOVED_UP: _l("Moved up from the waitlist automatically"),
    # Recorded by other services:
    "announcement_sent": _l("Announcement sent"),
    "announcement_scheduled": _l("Announcement scheduled"),
    "announcement_withdrawn": _l("Scheduled announcement withdrawn"),
    "reminders_changed": _l("Reminders changed"),
    "registration_erased": _l("Registration erased"),
    "registrations_purged": _l("Registrations anonymised"),
    "sensitive_answers_purged": _l("Sensitive answers erased"),
    EXPORTED: _l("Registrations exported"),
    EXPORTED_SENSITIVE: _l("Registrations exported with the sensitive answers"),
    "organiser_assigned": _l("Organiser assigned"),
    "organiser_unassigned": _l("Organiser removed"),
    "held_mail_released": _l("Held mail let go"),
    "held_mail_discarded": _l("Held mail discarded"),
    "question_template_saved": _l("Questions saved as a template"),
    "question_template_applied": _l("Question template applied"),
    "question_template_renamed": _l("Question template renamed"),
    "question_template_deleted": _l("Question template deleted"),
    "follow_up_saved": _l("Follow-up saved"),
    "follow_up_slides": _l("Follow-up slides uploaded"),
    "follow_up_scheduled": _l("Follow-up scheduled"),
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


def record_export(
    event: Event, actor: Organiser, file_format: str, *, sensitive: bool = False
) -> None:
    """Every download of an event's attendee data is logged (the view commits it before
    sending the file); one with the sensitive answers under its own action."""
    record(EXPORTED_SENSITIVE if sensitive else EXPORTED, event, actor, format=file_format)


def history(event: Event) -> list[AuditEntry]:
    """The entries about ``event``, newest first."""
    return list(
        db.session.scalars(
            select(AuditEntry)
            .where(AuditEntry.event_id == event.id)
            .order_by(AuditEntry.created_at.desc(), AuditEntry.id.desc())
        )
    )
