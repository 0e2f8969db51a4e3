import enum
from datetime import datetime

from sqlalchemy import JSON, Boolean, ForeignKey, Index, Integer, String, Text, true
from sqlalchemy.orm import Mapped, mapped_column, relationship

from eventsvc import clock
from eventsvc.extensions import db
from eventsvc.models.organiser import Organiser
from eventsvc.models.types import UTCDateTime, str_enum

URL_MAX = 500


class WebhookEndpoint(db.Model):
    """A URL an organiser subscribed to some event types; it hears about the events the
    organiser may see (``services.assignments.may_access``). One added on the command line
    without an organiser (``flask webhook add``) hears about every event, as the server's own."""

    id: Mapped[int] = mapped_column(primary_key=True)
    organiser_id: Mapped[int | None] = mapped_column(
        ForeignKey("organiser.id", ondelete="CASCADE"), index=True
    )
    url: Mapped[str] = mapped_column(String(URL_MAX))
    event_types: Mapped[list[str]] = mapped_column(JSON, default=list)
    #: The signing secret, ``whsec_`` + base64 (Standard Webhooks). Kept as is: signing needs it.
    secret: Mapped[str] = mapped_column(String(100))
    active: Mapped[bool] = mapped_column(Boolean, default=True, server_default=true())
    disabled_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    #: Why it was turned off: ``gone`` (HTTP 410), ``failing`` (three days of failures) or
    #: ``organiser``.
    disabled_reason: Mapped[str] = mapped_column(String(16), default="", server_default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=clock.now)

    organiser: Mapped[Organiser | None] = relationship(lazy="joined")


class DeliveryStatus(enum.StrEnum):
    PENDING = "pending"
    DELIVERED = "delivered"
    #: Given up: three days of failures, a 410, or the endpoint turned off.
    FAILED = "failed"


class WebhookDelivery(db.Model):
    """One message to one endpoint, written in the transaction of the change it tells about,
    sent by ``flask send-webhooks`` with retries."""

    __table_args__ = (Index("ix_webhook_delivery_due", "status", "next_attempt_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    endpoint_id: Mapped[int] = mapped_column(
        ForeignKey("webhook_endpoint.id", ondelete="CASCADE"), index=True
    )
    #: The ``webhook-id`` header: the same on every retry, so a receiver can drop duplicates.
    message_id: Mapped[str] = mapped_column(String(40), unique=True)
    event_type: Mapped[str] = mapped_column(String(40))
    payload: Mapped[dict] = mapped_column(JSON)
    status: Mapped[DeliveryStatus] = mapped_column(
        str_enum(DeliveryStatus), default=DeliveryStatus.PENDING
    )
    attempts: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    next_attempt_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    #: A worker's claim: others leave the row alone until then.
    claimed_until: Mapped[datetime | None] = mapped_column(UTCDateTime)
    last_attempt_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    last_status_code: Mapped[int | None] = mapped_column(Integer)
    #: The start of the receiver's answer, or what went wrong (connection refused, timeout…).
    last_response: Mapped[str] = mapped_column(Text, default="", server_default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=clock.now)

    endpoint: Mapped[WebhookEndpoint] = relationship(lazy="joined")
