"""Registrations: the capacity, the waitlist and what each change tells the registrant."""

import enum
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import timedelta

from flask import current_app
from flask_babel import lazy_gettext as _l
from sqlalchemy import bindparam, func, select, update

from eventsvc import clock
from eventsvc.extensions import db
from eventsvc.models import (
    Event,
    EventStatus,
    MessageKind,
    MessageStatus,
    Organiser,
    OutboxMessage,
    Registration,
    RegistrationStatus,
)
from eventsvc.models.registration import FOLLOWS_FLOOR, mailbox_of
from eventsvc.services import (
    DomainError,
    audit,
    counters,
    outbox,
    questions,
    subscriptions,
    tokens,
    webhooks,
)
from eventsvc.services import fields as registry
from eventsvc.services.addresses import address_key
from eventsvc.services.inputs.registration import RegistrationInput, parse_fields
from eventsvc.services.locking import lock_event

#: Registering again with the same address re-sends the confirmation, at most this often.
RESEND_INTERVAL = timedelta(minutes=10)

#: The messages a registration through the public form causes at once.
WELCOME_KINDS = (MessageKind.CONFIRMATION, MessageKind.WAITLISTED, MessageKind.ADDRESS_CONFIRM)


class RegistrationClosed(DomainError):
    """The event takes no registration now (draft, cancelled, past, deadline passed)."""


@dataclass
class RegistrationResult:
    """What :func:`register` did. ``status`` is the registration's status as committed and
    ``newcomer_status`` the one a new registration got (or would have got) at that moment, both
    read before the commit so that a caller need not reload anything to show them."""

    registration: Registration
    created: bool
    status: RegistrationStatus | None = None
    newcomer_status: RegistrationStatus | None = None
    held: bool = False


def messages_to_mailbox_last_hour(email_normalised: str) -> int:
    """Confirmations and waitlist notices queued in the last hour (sent, waiting or held) to the
    mailbox of ``email_normalised`` and every sub-address of it, across events: a seek on
    ``registration.mailbox``, then the outbox rows of those few registrations."""
    return db.session.scalar(
        select(func.count(OutboxMessage.id))
        .join(Registration, OutboxMessage.registration_id == Registration.id)
        .where(
            Registration.mailbox == mailbox_of(email_normalised),
            OutboxMessage.kind.in_(WELCOME_KINDS),
            OutboxMessage.status != MessageStatus.CANCELLED,
            OutboxMessage.created_at >= clock.now() - timedelta(hours=1),
        )
    )


def _mailbox_is_full(email_normalised: str) -> bool:
    cap = int(current_app.config["MAILBOX_MESSAGES_PER_HOUR"])
    return messages_to_mailbox_last_hour(email_normalised) >= cap


def closed_reason(event: Event):
    """Why ``event`` takes no registration now, or ``None`` when it does."""
    now = clock.now()
    if event.status == EventStatus.CANCELLED:
        return _l("This event has been cancelled.")
    if event.status == EventStatus.POSTPONED:
        return _l(
            "This event has been postponed. Registration opens again when the new date is set."
        )
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


def count_seats(event: Event, *, added: int | None = None) -> None:
    """Store in ``event.confirmed_seats`` how many of its registrations are confirmed.

    The one place seats are counted. Every service that changes a registration's status calls
    it under the event's lock (:func:`~eventsvc.services.locking.lock_event`), after the change,
    so that the capacity check of the next writer reads the right number. The confirmed rows
    are counted again, unless the caller passes the seats it ``added`` (a registration: one, in
    SQL, so that a large event's burst does not recount every row). A count is not an edit:
    ``updated_at`` stays and the page version is not raised.
    """
    events, registrations = Event.__table__, Registration.__table__
    if added is not None:
        seats = events.c.confirmed_seats + added
    else:
        db.session.flush()
        seats = (
            select(func.count())
            .where(
                registrations.c.event_id == events.c.id,
                registrations.c.status == RegistrationStatus.CONFIRMED,
            )
            .scalar_subquery()
        )
    db.session.execute(
        update(events)
        .where(events.c.id == event.id)
        .values(confirmed_seats=seats, updated_at=events.c.updated_at)
    )
    db.session.expire(event, ["confirmed_seats"])


def register(
    event: Event, data: RegistrationInput, source: str | None = None
) -> RegistrationResult:
    """Register one person, confirmed or waitlisted, and queue their message.

    Registering again with the same address creates nothing and re-sends the message (at most
    once per :data:`RESEND_INTERVAL`); a cancelled registration is taken up again.

    ``source`` is the client address of a post to the public form, whose caps then apply: when
    the mailbox has had ``MAILBOX_MESSAGES_PER_HOUR`` messages in the last hour, or ``source``
    ``REGISTRATIONS_PER_SOURCE_PER_HOUR`` new registrations, the registration is stored but its
    messages are held until an organiser lets them go (the form cannot be turned into a way of
    mailing someone else's inbox).

    At an event in "confirm your address" mode a new place is only held (see
    :func:`confirm_address`): the first mail asks to confirm the address and carries nothing
    from the form; holds that ran out are freed first, under the same lock. (Holds left over
    from a time the event was in that mode are freed by ``flask expire-holds`` and by the
    organiser's pages, not on every registration.)

    The event's questions are those ``data`` was parsed against, so that the answers stored
    are to the questions the person saw (and the form is not read twice per registration).
    """
    if not isinstance(data, RegistrationInput):
        raise TypeError("register() takes a RegistrationInput (see RegistrationInput.parse)")
    email_normalised = address_key(data.email)
    event = lock_event(event.id, reload_related=False)
    reason = closed_reason(event)
    if reason is not None:
        raise RegistrationClosed(reason)
    if event.confirm_address:
        _expire_holds(event)
    newcomer_status = _status_for_new_place(event)

    existing = db.session.scalar(
        _BY_ADDRESS, {"event_id": event.id, "email_normalised": email_normalised}
    )
    if existing is not None and existing.status != RegistrationStatus.CANCELLED:
        status = existing.status
        hold = source is not None and _mailbox_is_full(email_normalised)
        message = _resend(existing)
        if hold and message is not None:
            _hold([message])
        db.session.flush()
        return RegistrationResult(existing, False, status, newcomer_status, held=hold)

    if existing is not None and existing.status == RegistrationStatus.CANCELLED:
        _raise_sequence(event)
        _start_fresh(existing)
    asked = questions.asked_questions(event) if data.questions is None else data.questions
    questions.check_places(event, data.answers, asked, existing)
    registration = existing or Registration(event=event, email_normalised=email_normalised)
    _fill(registration, data)
    registration.status = newcomer_status
    registration.cancelled_at = None
    registration.address_hold_until = (
        clock.now() + address_hold_time() if event.confirm_address else None
    )
    past_source_cap = source is not None and counters.past_source_cap(source)
    hold = source is not None and (past_source_cap or _mailbox_is_full(email_normalised))
    db.session.add(registration)
    questions.save_answers(registration, data.answers, asked)
    if event.confirm_address:
        messages = [outbox.enqueue(MessageKind.ADDRESS_CONFIRM, registration)]
    else:
        messages = _first_messages(registration)
    if hold:
        _hold(messages)
    if newcomer_status == RegistrationStatus.CONFIRMED:  # new, or cancelled before: one more
        count_seats(event, added=1)
    webhooks.registration_created(registration)
    return RegistrationResult(
        registration, existing is None, newcomer_status, newcomer_status, held=hold
    )


def _hold(messages: list[OutboxMessage]) -> None:
    for message in messages:
        message.status = MessageStatus.HELD


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


def _fill(registration: Registration, data: RegistrationInput) -> None:
    """Store the answers: each field with a column in it; consent as when and which notice."""
    for spec in registry.BUILT_IN:
        if spec.column is not None:
            setattr(registration, spec.column, getattr(data, spec.key))
    registration.newsletter_confirmed_at = None
    if data.consent:
        registration.consent_at = clock.now()
        registration.consent_version = current_app.config["PRIVACY_VERSION"]


def _status_for_new_place(event: Event) -> RegistrationStatus:
    left = seats_left(event)
    if left is None or left > 0:
        return RegistrationStatus.CONFIRMED
    return RegistrationStatus.WAITLISTED


def _first_messages(registration: Registration) -> list[OutboxMessage]:
    """What a registration with a known-good address is sent: its welcome and, if asked for,
    the newsletter's own confirmation."""
    messages = _queue_welcome(registration)
    if registration.newsletter:
        messages.append(outbox.enqueue(MessageKind.NEWSLETTER_CONFIRM, registration))
    return messages


def _queue_welcome(registration: Registration) -> list[OutboxMessage]:
    if registration.status == RegistrationStatus.CONFIRMED:
        # No reminder rows: the event's reminder broadcasts reach whoever has a place when
        # they are due (services/broadcasts.py).
        return [outbox.enqueue(MessageKind.CONFIRMATION, registration)]
    return [outbox.enqueue(MessageKind.WAITLISTED, registration)]


def _resend(registration: Registration) -> OutboxMessage | None:
    if registration.awaits_address_confirmation:
        if outbox.recently_queued(registration, (MessageKind.ADDRESS_CONFIRM,), RESEND_INTERVAL):
            return None
        return outbox.enqueue(MessageKind.ADDRESS_CONFIRM, registration)
    kind = (
        MessageKind.CONFIRMATION
        if registration.status == RegistrationStatus.CONFIRMED
        else MessageKind.WAITLISTED
    )
    kinds = (MessageKind.CONFIRMATION, MessageKind.WAITLISTED, MessageKind.PROMOTED)
    if not outbox.recently_queued(registration, kinds, RESEND_INTERVAL):
        return outbox.enqueue(kind, registration)
    return None


def confirm_newsletter(registration: Registration) -> bool:
    """The registrant confirmed, from the separate mail, that they want the news: only now does
    the address count as subscribed. Returns whether the registration asked for it."""
    if not registration.newsletter or registration.anonymised_at is not None:
        return False
    if registration.newsletter_confirmed_at is None:
        registration.newsletter_confirmed_at = clock.now()
    # The news the box asks for are the subscriptions to new events (issue 19).
    subscriptions.confirmed_from_registration(registration)
    return True


def address_hold_time() -> timedelta:
    """How long an unconfirmed address holds its place (``ADDRESS_CONFIRMATION_HOURS``)."""
    return timedelta(hours=float(current_app.config["ADDRESS_CONFIRMATION_HOURS"]))


class AddressConfirmation(enum.StrEnum):
    """What opening the "confirm your address" link and pressing its button did."""

    CONFIRMED = "confirmed"
    ALREADY = "already"  # confirmed before: nothing to do
    EXPIRED = "expired"  # the hold ran out and the place was freed
    CANCELLED = "cancelled"  # the registration was cancelled meanwhile
    CLOSED = "closed"  # the event was cancelled, postponed or has begun: nothing to confirm


def hold_can_be_confirmed(event: Event) -> bool:
    """Whether a held place of ``event`` may still be confirmed: the event is on and to come.
    (A registration's own closing time does not count: the person registered before it.)"""
    return event.status == EventStatus.PUBLISHED and event.starts_at > clock.now()


def confirm_address(registration: Registration) -> AddressConfirmation:
    """The registrant clicked the link of the first mail: the held place (or waitlist place)
    becomes theirs, and only now do the usual confirmation with the invite (or the waitlist
    notice), the reminders and the newsletter's own confirmation go out. Under the event's
    lock, so that it cannot race the hold's expiry."""
    event = lock_event(registration.event_id)
    db.session.refresh(registration)
    _expire_holds(event)
    if registration.status == RegistrationStatus.CANCELLED:
        outcome = (
            AddressConfirmation.EXPIRED
            if registration.address_hold_until is not None
            else AddressConfirmation.CANCELLED
        )
    elif registration.address_hold_until is None:
        outcome = AddressConfirmation.ALREADY
    elif not hold_can_be_confirmed(event):
        outcome = AddressConfirmation.CLOSED
    else:
        registration.address_hold_until = None
        _first_messages(registration)
        db.session.flush()
        _fill_free_seats(event)
        outcome = AddressConfirmation.CONFIRMED
    return outcome


def expire_holds(event: Event) -> int:
    """Free the places of ``event`` whose address was not confirmed in time and promote the
    waitlist into them, as a cancellation does. Returns how many holds ran out."""
    event = lock_event(event.id)
    return _expire_holds(event)


def events_with_expired_holds() -> list[int]:
    """The ids of the events with a hold that ran out, for the cron command to run
    :func:`expire_holds` on each, one transaction (and one lock) per event."""
    return list(
        db.session.scalars(
            select(Registration.event_id)
            .where(
                Registration.status != RegistrationStatus.CANCELLED,
                Registration.address_hold_until <= clock.now(),
            )
            .distinct()
        )
    )


def _expire_holds(event: Event) -> int:
    """Under the event's lock: cancel the unconfirmed holds that ran out (their
    ``address_hold_until`` stays, so that the link can say the hold expired) and fill the
    freed seats from the waitlist."""
    now = clock.now()
    expired = list(
        db.session.scalars(
            select(Registration).where(
                Registration.event_id == event.id,
                Registration.status != RegistrationStatus.CANCELLED,
                Registration.address_hold_until <= now,
            )
        )
    )
    for registration in expired:
        registration.status = RegistrationStatus.CANCELLED
        registration.cancelled_at = now
        outbox.drop_pending(registration)
    if expired:
        count_seats(event)
        _fill_free_seats(event)
    return len(expired)


def cancel(
    registration: Registration,
    *,
    actor: Organiser | None = None,
    message: dict[str, str] | None = None,
) -> list[Registration]:
    """Cancel a registration, tell its calendar, and promote from the waitlist.

    With an ``actor`` the organisers cancelled it: the mail says so and carries their optional
    ``message`` (one text per locale, each registrant reads their own), a person on the waitlist
    is told too, and the audit log records it. Returns the registrations promoted into the
    freed seat.
    """
    event = lock_event(registration.event_id)
    db.session.refresh(registration)
    if registration.status == RegistrationStatus.CANCELLED:
        return []
    # A place held for an unconfirmed address never had an invite, and its address is not
    # known to be the registrant's: nothing is mailed to it.
    held = registration.awaits_address_confirmation
    registration.address_hold_until = None
    was_confirmed = registration.status == RegistrationStatus.CONFIRMED and not held
    registration.status = RegistrationStatus.CANCELLED
    registration.cancelled_at = clock.now()
    outbox.drop_pending(registration)
    payload = {}
    if actor is not None:
        payload = {"by_organiser": True, "message": _clean_message(message)}
        audit.record(
            audit.REGISTRATION_CANCELLED,
            event,
            actor,
            registration_id=registration.id,
            was=("confirmed" if was_confirmed else "waitlisted"),
            with_message=bool(payload["message"]),
        )
    if was_confirmed:
        _raise_sequence(event)
        outbox.enqueue(
            MessageKind.REGISTRATION_CANCELLED,
            registration,
            payload={"sequence": event.sequence, "calendar": True, **payload},
        )
    elif actor is not None and not held:
        # A waitlisted person's calendar never held the event: a notice without a CANCEL.
        outbox.enqueue(
            MessageKind.REGISTRATION_CANCELLED, registration, payload={**payload, "calendar": False}
        )
    webhooks.registration_cancelled(registration, by_organiser=actor is not None)
    count_seats(event)
    return _fill_free_seats(event)


def _clean_message(message: dict[str, str] | None) -> dict[str, str]:
    """The organiser's message per locale, blank ones left out."""
    return {
        locale: text.strip() for locale, text in (message or {}).items() if text and text.strip()
    }


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
    return changed


def change_details(registration: Registration, submitted: Mapping) -> bool:
    """Correct what the registrant may correct on their own page (the fields of its "details"
    section: name, organisation, country), checked by the same fields as at registration;
    returns whether anything changed. :class:`InputErrors` names the fields in error.

    The address stays: it is what the registration is known by (register again to use another).
    """
    if registration.status == RegistrationStatus.CANCELLED:
        raise DomainError(_l("This registration has been cancelled."))
    specs = registry.personal_page_fields("details")
    values = parse_fields(submitted, specs, registration.event)
    changed = False
    for spec in specs:
        changed |= getattr(registration, spec.column) != values[spec.key]
        setattr(registration, spec.column, values[spec.key])
    return changed


def answers_editable(registration: Registration) -> bool:
    """Whether the registrant may still change their answers to the event's questions: an
    active registration while registration is open."""
    return (
        registration.status != RegistrationStatus.CANCELLED
        and closed_reason(registration.event) is None
    )


def change_answers(registration: Registration, submitted: Mapping) -> None:
    """Replace the registrant's answers to the event's questions (as the form posts them,
    ``q-<key>``), checked by the same fields as at registration, places under the event's
    lock. Answers to retired questions stay. :class:`InputErrors` names the fields in error.
    """
    if not answers_editable(registration):
        raise DomainError(_l("Registration is closed: your answers can no longer change."))
    event = lock_event(registration.event_id)
    specs = registry.question_fields(event)
    values = parse_fields(submitted, specs, event)
    answers = {spec.question.key: values[spec.key] for spec in specs if spec.key in values}
    asked = [spec.question for spec in specs]
    questions.check_places(event, answers, asked, registration)
    questions.save_answers(registration, answers, asked)


@dataclass
class PromotionPlan:
    """What promoting one waitlisted person means, for the organiser to confirm."""

    registration: Registration
    position: int
    first_in_queue: Registration
    confirmed_after: int
    capacity: int | None

    @property
    def out_of_turn(self) -> bool:
        return self.first_in_queue.id != self.registration.id

    @property
    def overbooks(self) -> bool:
        return self.capacity is not None and self.confirmed_after > self.capacity


class PromotionNeedsConfirmation(DomainError):
    """Promoting would skip the queue or overbook, and the organiser has not confirmed that."""


def promotion_plan(registration: Registration) -> PromotionPlan:
    """Where ``registration`` stands in the queue and what promoting it does to the count."""
    if registration.status != RegistrationStatus.WAITLISTED:
        raise DomainError(_l("Only a registration on the waitlist can be promoted."))
    if registration.awaits_address_confirmation:
        raise DomainError(_l("This person has not confirmed their address yet."))
    event = registration.event
    first = db.session.scalar(_queue(event.id).limit(1))
    return PromotionPlan(
        registration=registration,
        position=waitlist_position(registration),
        first_in_queue=first,
        confirmed_after=event.confirmed_seats + 1,
        capacity=event.capacity,
    )


def promote(
    registration: Registration,
    *,
    actor: Organiser | None = None,
    out_of_turn: bool = False,
    overbook: bool = False,
) -> Registration:
    """Move one waitlisted registration to a confirmed place (an organiser's decision).

    The queue is kept unless ``out_of_turn`` is confirmed, and the capacity unless ``overbook``
    is: without those, :class:`PromotionNeedsConfirmation` is raised and nothing changes.
    """
    event = lock_event(registration.event_id)
    db.session.refresh(registration)
    plan = promotion_plan(registration)
    if plan.out_of_turn and not out_of_turn:
        raise PromotionNeedsConfirmation(
            _l(
                "%(name)s is number %(position)d on the waitlist: confirm to promote them "
                "before the people ahead.",
                name=registration.full_name,
                position=plan.position,
            )
        )
    if plan.overbooks and not overbook:
        raise PromotionNeedsConfirmation(
            _l(
                "The event is full: confirm to have %(count)d confirmed for %(capacity)d places.",
                count=plan.confirmed_after,
                capacity=plan.capacity,
            )
        )
    _promote(registration)
    count_seats(event)
    audit.record(
        audit.REGISTRATION_PROMOTED,
        registration.event,
        actor,
        registration_id=registration.id,
        position=plan.position,
        confirmed=plan.confirmed_after,
        capacity=plan.capacity,
    )
    return registration


def promote_waitlisted(event: Event) -> list[Registration]:
    """Fill the seats free at ``event`` from the waitlist (after a capacity increase)."""
    event = lock_event(event.id)
    return _fill_free_seats(event)


def _queue(event_id: int):
    """The event's waitlist, first come first; unconfirmed addresses are passed over."""
    return (
        select(Registration)
        .where(
            Registration.event_id == event_id,
            Registration.status == RegistrationStatus.WAITLISTED,
            Registration.address_hold_until.is_(None),
        )
        .order_by(Registration.created_at, Registration.id)
    )


def _fill_free_seats(event: Event) -> list[Registration]:
    """Under the event's lock: promote from the waitlist into the free seats, and count them."""
    if event.status != EventStatus.PUBLISHED or event.is_past():
        return []
    left = seats_left(event)
    if left == 0:
        return []
    query = _queue(event.id)
    if left is not None:
        query = query.limit(left)
    promoted = list(db.session.scalars(query))
    for registration in promoted:
        _promote(registration)
        audit.record(audit.REGISTRATION_MOVED_UP, event, None, registration_id=registration.id)
    if promoted:
        count_seats(event)
    return promoted


def _promote(registration: Registration) -> None:
    registration.status = RegistrationStatus.CONFIRMED
    registration.promoted_at = clock.now()
    outbox.drop_pending(registration, (MessageKind.WAITLISTED,))
    outbox.enqueue(MessageKind.PROMOTED, registration)
    webhooks.registration_promoted(registration)


def queue_positions(event: Event) -> dict[int, int]:
    """Registration id → place on the event's waitlist (1 is next), in one query."""
    ids = db.session.scalars(_queue(event.id).with_only_columns(Registration.id))
    return {registration_id: place for place, registration_id in enumerate(ids, start=1)}


def waitlist_position(registration: Registration) -> int | None:
    if registration.status != RegistrationStatus.WAITLISTED:
        return None
    ahead = db.session.scalar(
        select(func.count(Registration.id)).where(
            Registration.event_id == registration.event_id,
            Registration.status == RegistrationStatus.WAITLISTED,
            Registration.address_hold_until.is_(None),
            (Registration.created_at < registration.created_at)
            | (
                (Registration.created_at == registration.created_at)
                & (Registration.id < registration.id)
            ),
        )
    )
    return ahead + 1


def questions_for_speakers(event: Event) -> list[Registration]:
    """Registrations still coming (confirmed, then the waitlist) that asked a question, in the
    order people registered."""
    return list(
        db.session.scalars(
            select(Registration)
            .where(
                Registration.event_id == event.id,
                Registration.status.in_(
                    (RegistrationStatus.CONFIRMED, RegistrationStatus.WAITLISTED)
                ),
                Registration.question_for_speakers != "",
                Registration.anonymised_at.is_(None),
            )
            .order_by(Registration.created_at, Registration.id)
        )
    )


def newsletter_counts(event: Event) -> tuple[int, int]:
    """People of ``event`` (not cancelled) who asked for the newsletter, and how many of them
    confirmed it from the double opt-in mail (only those are subscribed)."""
    asked, confirmed = db.session.execute(
        select(
            func.count(Registration.id),
            func.count(Registration.newsletter_confirmed_at),
        ).where(
            Registration.event_id == event.id,
            Registration.status != RegistrationStatus.CANCELLED,
            Registration.newsletter.is_(True),
            Registration.anonymised_at.is_(None),
        )
    ).one()
    return asked, confirmed
