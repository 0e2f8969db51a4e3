"""Subscriptions to new events: an address that asked, by double opt-in, to hear of events."""

import enum
import secrets
from datetime import datetime

from sqlalchemy import JSON, String
from sqlalchemy.orm import Mapped, mapped_column

from eventsvc import clock
from eventsvc.extensions import db
from eventsvc.models.types import UTCDateTime, str_enum


class SubscriptionStatus(enum.StrEnum):
    PENDING = "pending"  # asked, the confirmation mail's link not yet followed: gets nothing
    CONFIRMED = "confirmed"


class Frequency(enum.StrEnum):
    EACH = "each"  # one notice per new event
    WEEKLY = "weekly"  # one digest a week of the events published that week


def new_secret() -> str:
    return secrets.token_urlsafe(24)


class Subscription(db.Model):
    """One address. Unsubscribing deletes the row (and its unsent mail, by cascade)."""

    id: Mapped[int] = mapped_column(primary_key=True)
    email: Mapped[str] = mapped_column(String(320))
    email_normalised: Mapped[str] = mapped_column(String(320), unique=True)
    #: The languages the person reads, in their order of preference; mail goes in the first.
    languages: Mapped[list[str]] = mapped_column(JSON, default=list)
    #: Partner ids of interest; empty: every event.
    partner_ids: Mapped[list[int]] = mapped_column(JSON, default=list)
    frequency: Mapped[Frequency] = mapped_column(str_enum(Frequency), default=Frequency.EACH)
    status: Mapped[SubscriptionStatus] = mapped_column(
        str_enum(SubscriptionStatus), default=SubscriptionStatus.PENDING
    )
    #: Signs the links of its mail (confirm, preferences, unsubscribe); rotated to kill them.
    link_secret: Mapped[str] = mapped_column(String(64), default=new_secret)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=clock.now)
    confirmed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    @property
    def language(self) -> str:
        return self.languages[0] if self.languages else "en"

    def __repr__(self) -> str:
        return f"<Subscription {self.id} {self.status}>"
