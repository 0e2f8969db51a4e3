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
from datetime import datetime, timedelta

from flask import current_app
from sqlalchemy import func, select

from eventsvc import clock
from eventsvc.extensions import db
from eventsvc.models import (
    Event,
    Frequency,
    MessageKind,
    MessageStatus,
    OutboxMessage,
    Subscription,
    SubscriptionStatus,
)
from eventsvc.services import outbox
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
    event_languages = set(event.languages) | set(event.text_locales)
    if not event_languages & set(subscription.languages):
        return False
    wanted = set(subscription.partner_ids)
    return not wanted or bool(wanted & {partner.id for partner in event.partners})


def queue_new_event_notices(event: Event) -> int:
    """On publishing ``event``: tell the confirmed subscriptions it interests. Returns how many
    subscriptions were told (or will be, in their digest)."""
    return _queue_new_event_notices(event)


def _queue_new_event_notices(event: Event) -> int:
    """Every per-recipient outbox row of a new event's notices is written here, and only here
    (the one place to switch to "messages to many" once services/broadcasts.py lands)."""
    told = 0
    confirmed = db.session.scalars(
        select(Subscription)
        .where(Subscription.status == SubscriptionStatus.CONFIRMED)
        .order_by(Subscription.id)
    )
    for subscription in confirmed:
        if not matches(subscription, event):
            continue
        told += 1
        if subscription.frequency == Frequency.WEEKLY:
            _add_to_digest(subscription, event)
        else:
            _enqueue(MessageKind.NEW_EVENT_NOTICE, subscription, event=event)
    db.session.flush()
    return told


def next_digest_at(now: datetime) -> datetime:
    days = (DIGEST_WEEKDAY - now.weekday()) % 7
    moment = (now + timedelta(days=days)).replace(
        hour=DIGEST_HOUR, minute=0, second=0, microsecond=0
    )
    return moment if moment > now else moment + timedelta(days=7)


def _add_to_digest(subscription: Subscription, event: Event) -> None:
    """The subscription's digest still to send gets the event; else a new one, due Monday."""
    digest = db.session.scalar(
        select(OutboxMessage).where(
            OutboxMessage.subscription_id == subscription.id,
            OutboxMessage.kind == MessageKind.DIGEST,
            OutboxMessage.status == MessageStatus.PENDING,
        )
    )
    if digest is None:
        _enqueue(
            MessageKind.DIGEST,
            subscription,
            due_at=next_digest_at(clock.now()),
            payload={"events": [event.id]},
        )
    elif event.id not in digest.payload.get("events", []):
        digest.payload = {**digest.payload, "events": [*digest.payload.get("events", []), event.id]}


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
