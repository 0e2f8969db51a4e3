"""Subscriptions to new events: double opt-in, notices or a weekly digest when an event is
published, one-click unsubscribe.

Only confirmed subscriptions receive anything but the confirmation request, which carries no
text from the form. Unsubscribing deletes the row: the address is gone, and so is its unsent
mail (the outbox rows cascade). Links are ``<id>.<proof>``, the proof an HMAC of the link's
purpose keyed with the subscription's own secret (as registrations' links, services/tokens.py).
"""

import base64
import hashlib
import hmac
from collections import Counter
from datetime import UTC, datetime, timedelta

from flask import current_app
from sqlalchemy import ColumnElement, Row, func, select

from eventsvc import clock
from eventsvc.extensions import db
from eventsvc.models import (
    Broadcast,
    Event,
    EventStatus,
    Frequency,
    MessageKind,
    MessageStatus,
    OutboxMessage,
    Subscription,
    SubscriptionStatus,
)
from eventsvc.services import broadcasts, outbox
from eventsvc.services.addresses import address_key
from eventsvc.services.inputs.subscription import SubscriptionInput

CONFIRM = "confirm"
PREFERENCES = "preferences"
UNSUBSCRIBE = "unsubscribe"

#: A new request re-sends the confirmation at most this often.
RESEND_INTERVAL = timedelta(minutes=10)
#: Digests go out on Mondays at this hour (UTC).
DIGEST_WEEKDAY, DIGEST_HOUR = 0, 8


def make_token(subscription: Subscription, purpose: str) -> str:
    return f"{subscription.id}.{_proof(subscription.link_secret, purpose)}"


def _proof(secret: str, purpose: str) -> str:
    digest = hmac.new(secret.encode(), purpose.encode(), hashlib.sha256).digest()[:24]
    return base64.urlsafe_b64encode(digest).decode().rstrip("=")


def subscription_for_token(token: str, purpose: str) -> Subscription | None:
    subscription_id, _, proof = (token or "").partition(".")
    if not (subscription_id.isascii() and subscription_id.isdigit() and len(subscription_id) < 19):
        return None
    subscription = db.session.get(Subscription, int(subscription_id))
    if subscription is None:
        return None
    if not hmac.compare_digest(proof.encode(), _proof(subscription.link_secret, purpose).encode()):
        return None
    return subscription


def subscribe(data: SubscriptionInput) -> Subscription:
    """Ask for ``data.email``'s confirmation. A pending request takes the new preferences; a
    confirmed subscription is left as it is (its owner changes it from the preferences link,
    which the confirmation mail also leads to): nobody changes someone else's choices by typing
    their address. Whatever the state, the same mail and the same answer, so the form tells
    nobody whether an address is subscribed."""
    key = address_key(data.email)
    subscription = db.session.scalar(
        select(Subscription).where(Subscription.email_normalised == key)
    )
    if subscription is None:
        subscription = Subscription(email=data.email, email_normalised=key)
        db.session.add(subscription)
    if subscription.status != SubscriptionStatus.CONFIRMED:
        subscription.email = data.email
        _apply(subscription, data)
    db.session.flush()
    if not _confirmation_recently_sent(subscription) and not _mailbox_is_full(subscription):
        _enqueue(MessageKind.SUBSCRIPTION_CONFIRM, subscription)
    return subscription


def _apply(subscription: Subscription, data: SubscriptionInput) -> None:
    subscription.languages = list(data.languages)
    subscription.partner_ids = list(data.partner_ids)
    subscription.frequency = data.frequency


def update_preferences(subscription: Subscription, data: SubscriptionInput) -> None:
    _apply(subscription, data)
    db.session.flush()


def confirm(subscription: Subscription) -> None:
    if subscription.status != SubscriptionStatus.CONFIRMED:
        subscription.status = SubscriptionStatus.CONFIRMED
        subscription.confirmed_at = clock.now()
    db.session.flush()


def confirmed_from_registration(registration) -> Subscription:
    """The registration form's "send me news" box, confirmed by its own double opt-in mail
    (the registrant followed the link): the address is subscribed to every new event, in the
    registration's language, and can change that from the link of any subscription mail."""
    key = address_key(registration.email)
    subscription = db.session.scalar(
        select(Subscription).where(Subscription.email_normalised == key)
    )
    if subscription is None:
        subscription = Subscription(
            email=registration.email,
            email_normalised=key,
            languages=[registration.language],
            partner_ids=[],
            frequency=Frequency.EACH,
        )
        db.session.add(subscription)
    confirm(subscription)
    return subscription


def unsubscribe(subscription: Subscription) -> None:
    """Immediate and complete: the row and its unsent mail are deleted."""
    db.session.execute(
        OutboxMessage.__table__.delete().where(
            OutboxMessage.subscription_id == subscription.id,
            OutboxMessage.status.in_((MessageStatus.PENDING, MessageStatus.HELD)),
        )
    )
    db.session.delete(subscription)
    db.session.flush()


#: An organiser erasing one subscriber does what the subscriber's own click does.
erase = unsubscribe


def _enqueue(
    kind: MessageKind,
    subscription: Subscription,
    *,
    event: Event | None = None,
    due_at: datetime | None = None,
    payload: dict | None = None,
) -> OutboxMessage:
    message = OutboxMessage(
        kind=kind,
        subscription=subscription,
        event_id=None if event is None else event.id,
        due_at=due_at or clock.now(),
        payload=payload or {},
        message_id=outbox.new_message_id(),
    )
    db.session.add(message)
    return message


def _confirmation_recently_sent(subscription: Subscription) -> bool:
    return _queued_since(subscription, clock.now() - RESEND_INTERVAL) > 0


def _mailbox_is_full(subscription: Subscription) -> bool:
    cap = int(current_app.config["MAILBOX_MESSAGES_PER_HOUR"])
    return _queued_since(subscription, clock.now() - timedelta(hours=1)) >= cap


def _queued_since(subscription: Subscription, since: datetime) -> int:
    return db.session.scalar(
        select(func.count(OutboxMessage.id)).where(
            OutboxMessage.subscription_id == subscription.id,
            OutboxMessage.kind == MessageKind.SUBSCRIPTION_CONFIRM,
            OutboxMessage.created_at >= since,
        )
    )


def matches(subscription: Subscription, event: Event) -> bool:
    """Whether ``event`` interests ``subscription``: a language in common (spoken at the event
    or in which its page reads) and, when partners were chosen, one of them among its own."""
    return _interests(subscription.languages, subscription.partner_ids, event)


def _interests(languages, partner_ids, event: Event) -> bool:
    event_languages = set(event.languages) | set(event.text_locales)
    if not event_languages & set(languages or ()):
        return False
    wanted = set(partner_ids or ())
    return not wanted or bool(wanted & {partner.id for partner in event.partners})


def queue_new_event_notices(event: Event) -> None:
    """On publishing ``event``: tell the confirmed subscriptions it interests, as messages to
    many written once (:mod:`eventsvc.services.broadcasts`): one notice broadcast for the event,
    and the event added to the week's digest broadcast. Nothing is written per subscriber here;
    the mail workers write each one's delivery when it is due."""
    _queue_new_event_notices(event)


def _queue_new_event_notices(event: Event) -> None:
    already = db.session.scalar(
        select(Broadcast.id).where(
            Broadcast.event_id == event.id, Broadcast.kind == MessageKind.NEW_EVENT_NOTICE
        )
    )
    if already is None:
        broadcasts.schedule(
            event, MessageKind.NEW_EVENT_NOTICE, NOTICE_AUDIENCE, once_key=f"notice:{event.id}"
        )
    _add_to_digest(event)


def next_digest_at(now: datetime) -> datetime:
    days = (DIGEST_WEEKDAY - now.weekday()) % 7
    moment = (now + timedelta(days=days)).replace(
        hour=DIGEST_HOUR, minute=0, second=0, microsecond=0
    )
    return moment if moment > now else moment + timedelta(days=7)


def _add_to_digest(event: Event) -> None:
    """The week's digest not yet due gets the event (one row for every weekly subscriber);
    else a new one, due Monday. With each event, when it was added: a subscriber confirmed
    since hears of it in the next digest only if they were confirmed by then (as a notice).

    One digest per week even when two organisers publish at the same instant: the digest is
    written once by its key (the week's due time), and whoever comes second adds to it."""
    now = clock.now()
    due_at = next_digest_at(now)
    digest = broadcasts.schedule(
        None,
        MessageKind.DIGEST,
        DIGEST_AUDIENCE,
        payload={"events": []},
        due_at=due_at,
        once_key=digest_key(due_at),
    )
    if event.id not in {event_id for event_id, _added in digest.payload.get("events", [])}:
        events = [*digest.payload.get("events", []), [event.id, now.isoformat()]]
        digest.payload = {**digest.payload, "events": events}
    db.session.flush()


def digest_key(due_at: datetime) -> str:
    """The one digest due at ``due_at`` (a migration keyed the digests written before)."""
    return f"digest:{due_at.astimezone(UTC):%Y-%m-%dT%H:%M}"


NOTICE_AUDIENCE, DIGEST_AUDIENCE = "new_event_subscribers", "digest_subscribers"
_READ = (Subscription.languages, Subscription.partner_ids, Subscription.confirmed_at)


def _notice_for(broadcast: Broadcast, event: Event, row: Row) -> dict | None:
    """The notice, to a subscription the event interests, confirmed when it was published;
    nothing once the event is no longer published."""
    confirmed_at = row.confirmed_at or broadcast.created_at
    if event.status != EventStatus.PUBLISHED or confirmed_at > broadcast.created_at:
        return None
    return {} if _interests(row.languages, row.partner_ids, event) else None


@broadcasts.audience(
    NOTICE_AUDIENCE, deliver=_notice_for, columns=_READ, recipients=broadcasts.SUBSCRIPTIONS
)
def _told_of_new_event(broadcast: Broadcast) -> list[ColumnElement[bool]]:
    return [
        Subscription.status == SubscriptionStatus.CONFIRMED,
        Subscription.frequency == Frequency.EACH,
    ]


def _digest_for(broadcast: Broadcast, event: Event | None, row: Row) -> dict | None:
    """The week's events that interest the subscription and were added once it was confirmed;
    nothing when there is none."""
    ids = [
        event_id
        for event_id, added in broadcast.payload.get("events", [])
        if (row.confirmed_at is None or row.confirmed_at <= datetime.fromisoformat(added))
        and (event := db.session.get(Event, event_id)) is not None
        and _interests(row.languages, row.partner_ids, event)
    ]
    return {"events": ids} if ids else None


@broadcasts.audience(
    DIGEST_AUDIENCE, deliver=_digest_for, columns=_READ, recipients=broadcasts.SUBSCRIPTIONS
)
def _weekly(broadcast: Broadcast) -> list[ColumnElement[bool]]:
    return [
        Subscription.status == SubscriptionStatus.CONFIRMED,
        Subscription.frequency == Frequency.WEEKLY,
    ]


# --- for organisers -------------------------------------------------------------------------------


def confirmed_subscriptions() -> list[Subscription]:
    return list(
        db.session.scalars(
            select(Subscription)
            .where(Subscription.status == SubscriptionStatus.CONFIRMED)
            .order_by(Subscription.email_normalised)
        )
    )


def counts() -> dict:
    """Confirmed subscribers: in all, per language read, per partner of interest ("" for every
    event), per frequency; and the requests still waiting for confirmation."""
    confirmed = confirmed_subscriptions()
    languages: Counter = Counter()
    partners: Counter = Counter()
    for subscription in confirmed:
        languages.update(subscription.languages)
        partners.update(subscription.partner_ids or [None])
    pending = db.session.scalar(
        select(func.count(Subscription.id)).where(Subscription.status == SubscriptionStatus.PENDING)
    )
    return {
        "total": len(confirmed),
        "pending": pending,
        "languages": dict(languages),
        "partners": dict(partners),
        "frequency": dict(Counter(str(s.frequency) for s in confirmed)),
    }
