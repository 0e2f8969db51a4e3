import enum
from datetime import datetime

from sqlalchemy import JSON, ForeignKey, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from eventsvc import clock
from eventsvc.extensions import db
from eventsvc.models.event import Event
from eventsvc.models.organiser import Organiser
from eventsvc.models.registration import Registration
from eventsvc.models.subscription import Subscription
from eventsvc.models.types import UTCDateTime, str_enum


class MessageKind(enum.StrEnum):
    CONFIRMATION = "confirmation"  # confirmed place, with the invite
    WAITLISTED = "waitlisted"  # on the waitlist, no invite
    PROMOTED = "promoted"  # moved from the waitlist to a confirmed place, with the invite
    REMINDER = "reminder"  # before the start, with the current invite
    EVENT_UPDATED = "event_updated"  # time, link or title changed: updated invite
    EVENT_CANCELLED = "event_cancelled"  # METHOD:CANCEL for everyone
    REGISTRATION_CANCELLED = "registration_cancelled"  # METHOD:CANCEL for one person
    ANNOUNCEMENT = "announcement"  # an organiser's message
    NEWSLETTER_CONFIRM = "newsletter_confirm"  # double opt-in: no text from the registrant
    ADDRESS_CONFIRM = "address_confirm"  # "confirm your address" mode: no text, no invite
    FOLLOW_UP = "follow_up"  # after the event: the organisers' follow-up, by attendance
    # To an organiser account (``organiser_id`` set, no registration):
    INVITATION = "invitation"  # choose your password
    PASSWORD_RESET = "password_reset"  # "forgot your password?" link
    SIGN_IN_FAILURES = "sign_in_failures"  # repeated failed sign-ins on your account
    # To a subscription to new events (``subscription_id`` set):
    SUBSCRIPTION_CONFIRM = "subscription_confirm"  # double opt-in: no text from the form
    NEW_EVENT_NOTICE = "new_event_notice"  # one new event (``event_id``)
    DIGEST = "digest"  # the week's new events (``payload["events"]``)


#: Kinds sent to an organiser account rather than to a registrant.
ORGANISER_KINDS = frozenset(
    {MessageKind.INVITATION, MessageKind.PASSWORD_RESET, MessageKind.SIGN_IN_FAILURES}
)


#: Kinds sent to a subscription to new events rather than to a registrant.
SUBSCRIPTION_KINDS = frozenset(
    {MessageKind.SUBSCRIPTION_CONFIRM, MessageKind.NEW_EVENT_NOTICE, MessageKind.DIGEST}
)


class MessageStatus(enum.StrEnum):
    PENDING = "pending"
    SENT = "sent"
    FAILED = "failed"
    CANCELLED = "cancelled"  # no longer to be sent (a reminder of a cancelled registration)
    HELD = "held"  # beyond the public form's caps: waits until an organiser lets it go


#: States of a message that may still go out: what withdrawing a message withdraws.
UNSENT = (MessageStatus.PENDING, MessageStatus.HELD)


class OutboxMessage(db.Model):
    """A message to send, written in the same transaction as the change that causes it.

    The message body is not stored: it is rendered when sent, from the current state of the
    event and registration, so a late reminder never carries an outdated time or link.
    ``payload`` holds what cannot be read back from current state (the old time of a moved event,
    the announcement to send).
    """

    #: The claim reads due rows in (due_at, id) order: with ``id`` in the index it stops after a
    #: batch instead of sorting every row due at the same minute (a reminder fan-out).
    #: A recipient of a broadcast gets at most one delivery of it: the unique key
    #: (broadcast, registration) holds even when a worker dies mid-expansion; so does
    #: (broadcast, subscription) for a message to the subscriptions to new events.
    __table_args__ = (
        Index("ix_outbox_due", "status", "due_at", "id"),
        UniqueConstraint("broadcast_id", "registration_id", name="uq_outbox_delivery"),
        UniqueConstraint("broadcast_id", "subscription_id", name="uq_outbox_subscription_delivery"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[MessageKind] = mapped_column(str_enum(MessageKind, length=24))
    status: Mapped[MessageStatus] = mapped_column(
        str_enum(MessageStatus, length=24), default=MessageStatus.PENDING
    )
    registration_id: Mapped[int | None] = mapped_column(
        ForeignKey("registration.id", ondelete="CASCADE"), index=True
    )
    event_id: Mapped[int | None] = mapped_column(
        ForeignKey("event.id", ondelete="CASCADE"), index=True
    )
    #: The account an organiser message goes to (then no registration nor event).
    organiser_id: Mapped[int | None] = mapped_column(
        ForeignKey("organiser.id", ondelete="CASCADE"), index=True
    )
    #: The subscription a subscription mail goes to (then no registration).
    subscription_id: Mapped[int | None] = mapped_column(
        ForeignKey("subscription.id", ondelete="CASCADE"), index=True
    )
    #: The broadcast this is one recipient's delivery of (written by the worker when due).
    broadcast_id: Mapped[int | None] = mapped_column(ForeignKey("broadcast.id", ondelete="CASCADE"))
    due_at: Mapped[datetime] = mapped_column(UTCDateTime, default=clock.now)
    payload: Mapped[dict] = mapped_column(JSON, default=dict)
    message_id: Mapped[str] = mapped_column(String(255), unique=True)
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    claimed_until: Mapped[datetime | None] = mapped_column(UTCDateTime)
    claimed_by: Mapped[str | None] = mapped_column(String(64))
    last_error: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=clock.now)
    sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    registration: Mapped[Registration | None] = relationship(lazy="joined")
    event: Mapped[Event | None] = relationship()
    organiser: Mapped[Organiser | None] = relationship()
    subscription: Mapped[Subscription | None] = relationship()

    def __repr__(self) -> str:
        return f"<OutboxMessage {self.id} {self.kind} {self.status}>"
