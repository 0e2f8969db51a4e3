from datetime import datetime

from sqlalchemy import JSON, Boolean, ForeignKey
from sqlalchemy.orm import Mapped, mapped_column

from eventsvc import clock
from eventsvc.extensions import db
from eventsvc.models.types import UTCDateTime


class Announcement(db.Model):
    """An organiser's message to an event's registrants: ``texts`` maps locale to subject/body."""

    id: Mapped[int] = mapped_column(primary_key=True)
    event_id: Mapped[int] = mapped_column(ForeignKey("event.id", ondelete="CASCADE"), index=True)
    organiser_id: Mapped[int | None] = mapped_column(
        ForeignKey("organiser.id", ondelete="SET NULL")
    )
    texts: Mapped[dict] = mapped_column(JSON, default=dict)
    include_waitlisted: Mapped[bool] = mapped_column(Boolean, default=False)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=clock.now)
