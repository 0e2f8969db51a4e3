"""Registrations: the capacity, the waitlist and what each change tells the registrant."""

from dataclasses import dataclass
from datetime import timedelta

from email_validator import EmailNotValidError, validate_email
from flask import current_app
from flask_babel import lazy_gettext as _l
from sqlalchemy import bindparam, func, select

from eventsvc import clock
from eventsvc.extensions import db
from eventsvc.mail import outbox
from eventsvc.models import (
    Event,
    EventStatus,
    MessageKind,
    Registration,
    RegistrationStatus,
)
from eventsvc.models.registration import FOLLOWS_FLOOR
from eventsvc.services import DomainError, tokens
from eventsvc.services.locking import lock_event

#: Registering again with the same address re-sends the confirmation, at most this often.
RESEND_INTERVAL = timedelta(minutes=10)


class RegistrationClosed(DomainError):
    """The event takes no registration now (draft, cancelled, past, deadline passed)."""


@dataclass
class RegistrationData:
    full_name: str
    email: str
    language: str
    organisation: str = ""
    country: str = ""
    interpretation_language: str | None = None
    question: str = ""
    newsletter: bool = False
    consent: bool = True
    #: The IANA zone the browser reported, already checked against zoneinfo; "" if none.
    timezone: str = ""


@dataclass
class RegistrationResult:
    """What :func:`register` did. ``status`` is the registration's status as committed and
    ``newcomer_status`` the one a new registration got (or would have got) at that moment, both
    read before the commit so that a caller need not reload anything to show them."""

    registration: Registration
    created: bool
    status: RegistrationStatus | None = None
    newcomer_status: RegistrationStatus | None = None


def normalise_email(address: str) -> str:
    """The form of an address used to recognise the same person twice."""
    try:
        return validate_email(address, check_deliverability=False).normalized.casefold()
    except EmailNotValidError:
        return address.strip().casefold()


def closed_reason(event: Event):
    """Why ``event`` takes no registration now, or ``None`` when it does."""
    now = clock.now()
    if event.status == EventStatus.CANCELLED:
        return _l("This event has been cancelled.")
    if event.status != EventStatus.PUBLISHED:
        return _l("This event is not open for registration.")
    if event.starts_at <= now:
        return _l("This event has already started or taken place.")
    if event.registration_closes_at is not None and event.registration_closes_at <= now:
        return _l("Registration for this event has closed.")
    return None


_BY_ADDRESS = select(Registration).where(
    Registration.event_id == bindparam("event_id"),
    Registration.email_normalised == bindparam("email_normalised"),
)


def seats_left(event: Event) -> int | None:
    """Free seats, or ``None`` for an event without a capacity."""
    if event.capacity is None:
        return None
    return max(event.capacity - event.confirmed_seats, 0)


def register(event: Event, data: RegistrationData) -> RegistrationResult:
    """Register one person, confirmed or waitlisted, and queue their message: one transaction.

    Registering again with the same address creates nothing and re-sends the message (at most
    once per :data:`RESEND_INTERVAL`); a cancelled registration is taken up again.
    """
    email_normalised = normalise_email(data.email)
    event = lock_event(event.id, reload_related=False)
    reason = closed_reason(event)
    if reason is not None:
        db.session.rollback()
        raise RegistrationClosed(reason)
    newcomer_status = _status_for_new_place(event)

    existing = db.session.scalar(
        _BY_ADDRESS, {"event_id": event.id, "email_normalised": email_normalised}
    )
    if existing is not None and existing.status != RegistrationStatus.CANCELLED:
        status = existing.status
        _resend(existing)
        db.session.commit()
        return RegistrationResult(existing, False, status, newcomer_status)

    if existing is not None and existing.status == RegistrationStatus.CANCELLED:
        _raise_sequence(event)
        _start_fresh(existing)
    registration = existing or Registration(event=event, email_normalised=email_normalised)
    _fill(registration, data)
    registration.status = newcomer_status
    registration.cancelled_at = None
    db.session.add(registration)
    _queue_welcome(registration)
    db.session.commit()
    return RegistrationResult(registration, existing is None, newcomer_status, newcomer_status)


def _raise_sequence(event: Event) -> None:
    """One UID per event serves every registrant, so a personal CANCEL and a later invite to the
    same person need SEQUENCE numbers above anything that person's calendar has seen."""
    event.sequence += 1


def _start_fresh(registration: Registration) -> None:
    """A cancelled registration taken up again by the same address is a new place: new links
    (the old ones stop working), nothing kept from before, consent asked again, and the back of
    the queue."""
    tokens.rotate_secret(registration)
    registration.consent_at = None
    registration.consent_version = ""
    registration.promoted_at = None
    registration.created_at = clock.now()


def _fill(registration: Registration, data: RegistrationData) -> None:
    registration.full_name = data.full_name.strip()
    registration.email = data.email.strip()
    registration.language = data.language
    registration.organisation = data.organisation.strip()
    registration.country = (data.country or "").upper()
    registration.interpretation_language = data.interpretation_language or None
    registration.question = data.question.strip()
    registration.newsletter = bool(data.newsletter)
    registration.timezone = data.timezone
    if data.consent:
        registration.consent_at = clock.now()
        registration.consent_version = current_app.config["PRIVACY_VERSION"]


def _status_for_new_place(event: Event) -> RegistrationStatus:
    left = seats_left(event)
    if left is None or left > 0:
        return RegistrationStatus.CONFIRMED
    return RegistrationStatus.WAITLISTED


def _queue_welcome(registration: Registration) -> None:
    if registration.status == RegistrationStatus.CONFIRMED:
        outbox.enqueue(MessageKind.CONFIRMATION, registration)
        outbox.schedule_reminders(registration)
    else:
        outbox.enqueue(MessageKind.WAITLISTED, registration)


def _resend(registration: Registration) -> None:
    kind = (
        MessageKind.CONFIRMATION
        if registration.status == RegistrationStatus.CONFIRMED
        else MessageKind.WAITLISTED
    )
    kinds = (MessageKind.CONFIRMATION, MessageKind.WAITLISTED, MessageKind.PROMOTED)
    if not outbox.recently_queued(registration, kinds, RESEND_INTERVAL):
        outbox.enqueue(kind, registration)


def cancel(registration: Registration) -> list[Registration]:
    """Cancel a registration, tell its calendar, and promote from the waitlist: one transaction.

    Returns the registrations promoted into the freed seat.
    """
    event = lock_event(registration.event_id)
    db.session.refresh(registration)
    if registration.status == RegistrationStatus.CANCELLED:
        db.session.rollback()
        return []
    was_confirmed = registration.status == RegistrationStatus.CONFIRMED
    registration.status = RegistrationStatus.CANCELLED
    registration.cancelled_at = clock.now()
    outbox.drop_pending(registration)
    if was_confirmed:
        _raise_sequence(event)
        outbox.enqueue(
            MessageKind.REGISTRATION_CANCELLED,
            registration,
            payload={"sequence": event.sequence, "calendar": True},
        )
    db.session.flush()
    promoted = _fill_free_seats(event)
    db.session.commit()
    return promoted


def change_preferences(
    registration: Registration, language: str, interpretation_language: str | None
) -> bool:
    """Set the registrant's language for messages and for listening; returns whether it changed.

    Messages still queued are built when sent, so they go out in the new language.
    """
    if registration.status == RegistrationStatus.CANCELLED:
        raise DomainError(_l("This registration has been cancelled."))
    if language not in current_app.config["SUPPORTED_LOCALES"]:
        raise DomainError(_l("Choose one of the languages offered."))
    interpretation_language = interpretation_language or None
    offered = (None, FOLLOWS_FLOOR, *registration.event.interpreted_languages)
    if interpretation_language not in offered:
        raise DomainError(_l("Choose one of the event's languages."))
    changed = (registration.language, registration.interpretation_language) != (
        language,
        interpretation_language,
    )
    registration.language = language
    registration.interpretation_language = interpretation_language
    db.session.commit()
    return changed


def change_details(
    registration: Registration, full_name: str, organisation: str, country: str
) -> bool:
    """Correct the registrant's name, organisation and country; returns whether it changed.

    The address stays: it is what the registration is known by (register again to use another).
    """
    if registration.status == RegistrationStatus.CANCELLED:
        raise DomainError(_l("This registration has been cancelled."))
    full_name, organisation, country = full_name.strip(), organisation.strip(), country.upper()
    if not full_name:
        raise DomainError(_l("Enter your full name."))
    new = (full_name, organisation, country)
    changed = (registration.full_name, registration.organisation, registration.country) != new
    registration.full_name, registration.organisation, registration.country = new
    db.session.commit()
    return changed


def join_link_shown_from(event: Event):
    """When the registrant's own page starts showing the link to join (``JOIN_LINK_SHOWN_BEFORE``
    minutes before the start): early enough to test sound, late enough not to be passed on."""
    return event.starts_at - timedelta(minutes=current_app.config["JOIN_LINK_SHOWN_BEFORE"])


def promote(registration: Registration) -> Registration:
    """Move one waitlisted registration to a confirmed place (an organiser's decision).

    An organiser may promote beyond capacity; the waitlist is theirs to manage.
    """
    lock_event(registration.event_id)
    db.session.refresh(registration)
    if registration.status != RegistrationStatus.WAITLISTED:
        db.session.rollback()
        raise DomainError(_l("Only a registration on the waitlist can be promoted."))
    _promote(registration)
    db.session.commit()
    return registration


def promote_waitlisted(event: Event) -> list[Registration]:
    """Fill the seats free at ``event`` from the waitlist (after a capacity increase)."""
    event = lock_event(event.id)
    promoted = _fill_free_seats(event)
    db.session.commit()
    return promoted


def _fill_free_seats(event: Event) -> list[Registration]:
    if event.status != EventStatus.PUBLISHED or event.is_past():
        return []
    left = seats_left(event)
    limit = None if left is None else left
    if limit == 0:
        return []
    query = (
        select(Registration)
        .where(
            Registration.event_id == event.id,
            Registration.status == RegistrationStatus.WAITLISTED,
        )
        .order_by(Registration.created_at, Registration.id)
    )
    if limit is not None:
        query = query.limit(limit)
    promoted = list(db.session.scalars(query))
    for registration in promoted:
        _promote(registration)
    return promoted


def _promote(registration: Registration) -> None:
    registration.status = RegistrationStatus.CONFIRMED
    registration.promoted_at = clock.now()
    outbox.drop_pending(registration, (MessageKind.WAITLISTED,))
    outbox.enqueue(MessageKind.PROMOTED, registration)
    outbox.schedule_reminders(registration)


def waitlist_position(registration: Registration) -> int | None:
    if registration.status != RegistrationStatus.WAITLISTED:
        return None
    ahead = db.session.scalar(
        select(func.count(Registration.id)).where(
            Registration.event_id == registration.event_id,
            Registration.status == RegistrationStatus.WAITLISTED,
            (Registration.created_at < registration.created_at)
            | (
                (Registration.created_at == registration.created_at)
                & (Registration.id < registration.id)
            ),
        )
    )
    return ahead + 1
