"""Erasing registrants' personal data while keeping the counts organisers report on.

An erased registration keeps its status, country, languages and dates (the statistics stay
true); the fields the registry marks as personal data (``RegistrationField.erased``: name,
address, organisation, question for the speakers, newsletter wish, browser zone) are replaced
by placeholders, its pending mail is withdrawn and ``anonymised_at`` is set.

Copies of mail already delivered to the instance mail folder (no mail server) are the mail
layer's to delete: each function returns the outbox ids whose copies the caller removes with
:func:`eventsvc.mail.transport.remove_copies` once the erasure is committed.
"""

from dataclasses import dataclass
from datetime import timedelta

from flask import current_app
from sqlalchemy import String, cast, delete, func, literal, select, update

from eventsvc import clock
from eventsvc.extensions import db
from eventsvc.models import (
    UNSENT,
    Answer,
    Certificate,
    Event,
    MessageStatus,
    OutboxMessage,
    Question,
    Registration,
)
from eventsvc.models.organiser import Organiser
from eventsvc.services import audit, questions
from eventsvc.services import fields as registry
from eventsvc.services.locking import lock_event

ERASED_NAME = registry.BY_KEY["full_name"].erased
#: ``.invalid`` is reserved (RFC 2606): an erased address can never reach anyone.
ERASED_EMAIL_DOMAIN = "invalid"


def parse_age(text: str) -> timedelta:
    """``180d`` or ``26w`` (a bare number means days) as a duration of at least one day."""
    value = text.strip().lower()
    unit = value[-1:] if value[-1:] in ("d", "w") else "d"
    number = value[:-1] if value[-1:] in ("d", "w") else value
    if not number.isdigit() or int(number) < 1:
        raise ValueError(f"expected a number of days such as 180d, not {text!r}")
    return timedelta(days=int(number) * (7 if unit == "w" else 1))


def erased_email(registration_id: int) -> str:
    return f"erased-{registration_id}@{ERASED_EMAIL_DOMAIN}"


@dataclass(frozen=True)
class Purged:
    count: int
    #: The outbox rows of the purged registrations (their delivered copies are to be removed).
    message_ids: frozenset[int]


def erase_registration(
    registration: Registration, actor: Organiser | None = None
) -> frozenset[int]:
    """Anonymise one registration (an organiser acting on a registrant's request).

    Returns the ids of its outbox messages, whose delivered copies are to be removed too."""
    event = lock_event(registration.event_id)
    db.session.refresh(registration)
    if registration.anonymised_at is not None:
        return frozenset()
    address = erased_email(registration.id)
    for column, value in _erasure(address).items():
        setattr(registration, column, value)
    registration.anonymised_at = clock.now()
    questions.erase_answers(registration)
    _forget_mail(Registration.id == registration.id)
    _forget_certificates(Registration.id == registration.id)
    audit.record("registration_erased", event=event, actor=actor, registration_id=registration.id)
    message_ids = _message_ids(Registration.id == registration.id)
    return message_ids


def purge_past_registrations(older_than: timedelta) -> Purged:
    """Anonymise every registration of events that ended more than ``older_than`` ago.

    Counts the registrations anonymised (those done before are not counted again). Each event
    concerned gets an entry in its history.
    """
    now = clock.now()
    past_events = select(Event.id).where(Event.ends_at < now - older_than)
    selected = Registration.event_id.in_(past_events) & Registration.anonymised_at.is_(None)
    per_event = db.session.execute(
        select(Registration.event_id, func.count(Registration.id))
        .where(selected)
        .group_by(Registration.event_id)
    ).all()
    if not per_event:
        return Purged(0, frozenset())
    message_ids = _message_ids(selected)
    _forget_mail(selected)
    _forget_certificates(selected)
    db.session.execute(
        delete(Answer)
        .where(Answer.registration_id.in_(select(Registration.id).where(selected)))
        .execution_options(synchronize_session=False)
    )
    db.session.execute(
        update(Registration)
        .where(selected)
        .values(**_erasure(_erased_email_sql()), anonymised_at=now)
        .execution_options(synchronize_session=False)
    )
    return Purged(_record_purge("registrations_purged", per_event, older_than), message_ids)


def sensitive_retention() -> timedelta:
    return timedelta(days=int(current_app.config["SENSITIVE_ANSWERS_RETENTION_DAYS"]))


def purge_sensitive_answers(older_than: timedelta | None = None) -> int:
    """Delete the answers to sensitive questions of events that ended more than
    ``older_than`` (``SENSITIVE_ANSWERS_RETENTION_DAYS``) ago; returns how many. Each event
    concerned gets an entry in its history."""
    older_than = sensitive_retention() if older_than is None else older_than
    past_events = select(Event.id).where(Event.ends_at < clock.now() - older_than)
    sensitive = select(Question.id).where(
        Question.sensitive.is_(True), Question.event_id.in_(past_events)
    )
    per_event = db.session.execute(
        select(Question.event_id, func.count(Answer.id))
        .join(Question, Question.id == Answer.question_id)
        .where(Answer.question_id.in_(sensitive))
        .group_by(Question.event_id)
    ).all()
    if not per_event:
        return 0
    db.session.execute(
        delete(Answer)
        .where(Answer.question_id.in_(sensitive))
        .execution_options(synchronize_session=False)
    )
    return _record_purge("sensitive_answers_purged", per_event, older_than)


def _record_purge(action: str, per_event, older_than: timedelta) -> int:
    """An entry in the history of each event a purge touched (``per_event``: event id, count);
    returns the total."""
    for event_id, count in per_event:
        audit.record(
            action,
            event=db.session.get(Event, event_id),
            count=count,
            older_than_days=older_than.days,
        )
    return sum(count for _event_id, count in per_event)


def _erasure(address) -> dict:
    """Column → what erasure writes there: the registry's personal fields, with ``address``
    (a value, or an SQL expression for a bulk update) for the address, which is also what
    the registration is recognised by; the newsletter's confirmation goes with the wish."""
    values = {
        column: address if value is registry.ERASED_ADDRESS else value
        for column, value in registry.erased_values().items()
    }
    return {
        **values,
        "email_normalised": address,
        "mailbox": address,
        "newsletter_confirmed_at": None,
    }


def _message_ids(registration_filter) -> frozenset[int]:
    return frozenset(
        db.session.scalars(
            select(OutboxMessage.id).where(
                OutboxMessage.registration_id.in_(
                    select(Registration.id).where(registration_filter)
                )
            )
        )
    )


def _erased_email_sql():
    return (
        literal("erased-")
        .concat(cast(Registration.id, String))
        .concat(literal(f"@{ERASED_EMAIL_DOMAIN}"))
    )


def _forget_certificates(registration_filter) -> None:
    """Certificates keep the name as issued: erasure deletes them (their codes then verify
    nothing)."""
    db.session.execute(
        delete(Certificate)
        .where(Certificate.registration_id.in_(select(Registration.id).where(registration_filter)))
        .execution_options(synchronize_session=False)
    )


def _forget_mail(registration_filter) -> None:
    """Withdraw pending messages and drop error texts that may quote the address."""
    matching = OutboxMessage.registration_id.in_(select(Registration.id).where(registration_filter))
    db.session.execute(
        update(OutboxMessage)
        .where(matching, OutboxMessage.status.in_(UNSENT))
        .values(status=MessageStatus.CANCELLED)
        .execution_options(synchronize_session=False)
    )
    db.session.execute(
        update(OutboxMessage)
        .where(matching, OutboxMessage.last_error != "")
        .values(last_error="")
        .execution_options(synchronize_session=False)
    )
