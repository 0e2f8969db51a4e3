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
    #: When its messages are due: ``None`` for at once, else a scheduled time.
    send_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    #: Withdrawn before it went out (a scheduled announcement only).
    cancelled_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    def is_scheduled(self) -> bool:
        return self.cancelled_at is None and self.send_at is not None and self.send_at > clock.now()
