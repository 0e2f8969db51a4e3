"""Who may see and change which event: admins every event, other organisers those they are
assigned to (the creator is assigned when the event is made). Attendee data, exports, erasure,
announcements and the join link follow the assignment, as every workspace route under
``/events/<slug>`` is checked in :mod:`eventsvc.organiser.access`."""

from flask_babel import lazy_gettext as _l
from sqlalchemy import delete, exists, select

from eventsvc.extensions import db
from eventsvc.models import Event, EventAssignment, Organiser
from eventsvc.services import DomainError, audit

ASSIGNED = "organiser_assigned"
UNASSIGNED = "organiser_unassigned"


def may_access(organiser: Organiser, event_id: int) -> bool:
    return organiser.is_admin or is_assigned(organiser, event_id)


def is_assigned(organiser: Organiser, event_id: int) -> bool:
    return bool(
        db.session.scalar(
            select(
                exists().where(
                    EventAssignment.event_id == event_id,
                    EventAssignment.organiser_id == organiser.id,
                )
            )
        )
    )


def visible_event_ids(organiser: Organiser):
    """A subquery of the ids of the events ``organiser`` sees, or ``None`` for all (admins)."""
    if organiser.is_admin:
        return None
    return select(EventAssignment.event_id).where(EventAssignment.organiser_id == organiser.id)


def assign_creator(event: Event, creator: Organiser | None) -> None:
    """In the creating transaction: the organiser who made the event may open it."""
    if creator is not None:
        db.session.add(EventAssignment(event_id=event.id, organiser_id=creator.id))


def assignees(event: Event) -> list[Organiser]:
    return list(
        db.session.scalars(
            select(Organiser)
            .join(EventAssignment, EventAssignment.organiser_id == Organiser.id)
            .where(EventAssignment.event_id == event.id)
            .order_by(Organiser.email)
        )
    )


def candidates(event: Event) -> list[Organiser]:
    """Active organisers not yet assigned (admins see every event already)."""
    assigned = select(EventAssignment.organiser_id).where(EventAssignment.event_id == event.id)
    return list(
        db.session.scalars(
            select(Organiser)
            .where(Organiser.active.is_(True), Organiser.id.not_in(assigned))
            .order_by(Organiser.email)
        )
    )


def assign(event: Event, organiser: Organiser, actor: Organiser) -> None:
    if is_assigned(organiser, event.id):
        return  # a second click changes nothing
    db.session.add(EventAssignment(event_id=event.id, organiser_id=organiser.id))
    audit.record(ASSIGNED, event, actor, account=organiser.email)


def unassign(event: Event, organiser: Organiser, actor: Organiser) -> None:
    remaining = [other for other in assignees(event) if other.id != organiser.id]
    if not remaining and not actor.is_admin:
        raise DomainError(_l("An event keeps at least one assigned organiser."))
    db.session.execute(
        delete(EventAssignment).where(
            EventAssignment.event_id == event.id, EventAssignment.organiser_id == organiser.id
        )
    )
    audit.record(UNASSIGNED, event, actor, account=organiser.email)
