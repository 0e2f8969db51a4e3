"""Erasing registrants' personal data while keeping the counts organisers report on.

An erased registration keeps its status, country, languages and dates (the statistics stay
true); its name, address, organisation, question and browser zone are replaced by placeholders,
its pending mail is withdrawn and ``anonymised_at`` is set.
"""

from datetime import timedelta

from sqlalchemy import String, cast, func, literal, select, update

from eventsvc import clock
from eventsvc.extensions import db
from eventsvc.mail import transport
from eventsvc.models import UNSENT, Event, MessageStatus, OutboxMessage, Registration
from eventsvc.models.organiser import Organiser
from eventsvc.services import audit
from eventsvc.services.locking import lock_event
from eventsvc.unit_of_work import after_commit

ERASED_NAME = "[erased]"
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


def erase_registration(registration: Registration, actor: Organiser | None = None) -> None:
    """Anonymise one registration (an organiser acting on a registrant's request)."""
    event = lock_event(registration.event_id)
    db.session.refresh(registration)
    if registration.anonymised_at is not None:
        return
    registration.full_name = ERASED_NAME
    registration.email = registration.email_normalised = erased_email(registration.id)
    registration.organisation = ""
    registration.question = ""
    registration.timezone = ""
    registration.newsletter = False
    registration.newsletter_confirmed_at = None
    registration.anonymised_at = clock.now()
    _forget_mail(Registration.id == registration.id)
    audit.record("registration_erased", event=event, actor=actor, registration_id=registration.id)
    message_ids = _message_ids(Registration.id == registration.id)
    after_commit(lambda: remove_mail_files(message_ids))


def purge_past_registrations(older_than: timedelta) -> int:
    """Anonymise every registration of events that ended more than ``older_than`` ago.

    Returns how many registrations were anonymised (those done before are not counted again).
    Each event concerned gets an entry in its history.
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
        return 0
    message_ids = _message_ids(selected)
    _forget_mail(selected)
    db.session.execute(
        update(Registration)
        .where(selected)
        .values(
            full_name=ERASED_NAME,
            email=_erased_email_sql(),
            email_normalised=_erased_email_sql(),
            organisation="",
            question="",
            timezone="",
            newsletter=False,
            newsletter_confirmed_at=None,
            anonymised_at=now,
        )
        .execution_options(synchronize_session=False)
    )
    for event_id, count in per_event:
        audit.record(
            "registrations_purged",
            event=db.session.get(Event, event_id),
            count=count,
            older_than_days=older_than.days,
        )
    after_commit(lambda: remove_mail_files(message_ids))
    return sum(count for _event_id, count in per_event)


def _message_ids(registration_filter) -> set[int]:
    return set(
        db.session.scalars(
            select(OutboxMessage.id).where(
                OutboxMessage.registration_id.in_(
                    select(Registration.id).where(registration_filter)
                )
            )
        )
    )


def remove_mail_files(message_ids: set[int]) -> int:
    """Delete the ``.eml`` copies of these outbox messages from the instance mail folder (where
    mail goes without a mail server: name, address and personal link in each). Their names end
    in ``-<outbox id>.eml``. Returns how many were deleted."""
    folder = transport.mail_folder()
    if not message_ids or not folder.is_dir():
        return 0
    removed = 0
    for path in folder.glob("*.eml"):
        number = path.stem.rpartition("-")[2]
        if number.isdigit() and int(number) in message_ids:
            path.unlink(missing_ok=True)
            removed += 1
    return removed


def _erased_email_sql():
    return (
        literal("erased-")
        .concat(cast(Registration.id, String))
        .concat(literal(f"@{ERASED_EMAIL_DOMAIN}"))
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
