import enum
from datetime import datetime

from sqlalchemy import JSON, ForeignKey, Index, Integer, String, text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from eventsvc import clock
from eventsvc.extensions import db
from eventsvc.models.event import Event
from eventsvc.models.outbox import MessageKind
from eventsvc.models.types import UTCDateTime, str_enum


class BroadcastStatus(enum.StrEnum):
    SCHEDULED = "scheduled"  # not due yet, or due and not started
    EXPANDING = "expanding"  # a worker has written part of its deliveries
    DONE = "done"  # every delivery written (or none was due any more)
    WITHDRAWN = "withdrawn"  # no longer to be sent


#: States in which a broadcast may still write deliveries.
LIVE = (BroadcastStatus.SCHEDULED, BroadcastStatus.EXPANDING)

#: The condition of the unique index on ``once_key``, as SQL: the ON CONFLICT clause that relies
#: on it repeats it literally (PostgreSQL infers a partial index only from the same constants).
LIVE_SQL = text("status IN ('scheduled', 'expanding')")


class Broadcast(db.Model):
    """A message to many, stored once: what (``kind`` + ``payload``), when (``due_at``) and to
    whom by rule (``audience``, a name in ``services.broadcasts.AUDIENCES``).

    When it is due, the mail workers expand it into one :class:`OutboxMessage` per recipient, in
    chunks of registrations taken in id order (``cursor`` is the last one written), each chunk in
    the transaction that moves the cursor; the unique key (broadcast, registration) on the outbox
    keeps each recipient to one delivery. An audience of subscriptions to new events (a new
    event's notices, the week's digest) is taken in subscription id order, with the unique key
    (broadcast, subscription). ``upto_registration_id`` limits it to the people registered
    when it was written (an update tells those who had the old time), ``None`` to everyone the
    rule covers when it is due (a reminder reaches who registered after a change).

    ``once_key`` names what there is one live broadcast of at most (the week's digest, an
    event's notice, an event's reminder at an offset): a unique index over the live rows holds
    it even when two transactions write at the same instant (see ``broadcasts.schedule``).
    """

    __table_args__ = (
        Index("ix_broadcast_due", "status", "due_at", "id"),
        Index(
            "uq_broadcast_live_once_key",
            "once_key",
            unique=True,
            sqlite_where=LIVE_SQL,
            postgresql_where=LIVE_SQL,
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    #: ``None`` for a message about several events (the week's digest to subscribers).
    event_id: Mapped[int | None] = mapped_column(
        ForeignKey("event.id", ondelete="CASCADE"), index=True
    )
    kind: Mapped[MessageKind] = mapped_column(str_enum(MessageKind, length=24))
    audience: Mapped[str] = mapped_column(String(32))
    status: Mapped[BroadcastStatus] = mapped_column(
        str_enum(BroadcastStatus, length=16), default=BroadcastStatus.SCHEDULED
    )
    due_at: Mapped[datetime] = mapped_column(UTCDateTime, default=clock.now)
    payload: Mapped[dict] = mapped_column(JSON, default=dict)
    upto_registration_id: Mapped[int | None] = mapped_column(Integer)
    cursor: Mapped[int] = mapped_column(Integer, default=0)
    written: Mapped[int] = mapped_column(Integer, default=0)
    once_key: Mapped[str | None] = mapped_column(String(80))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=clock.now)
    finished_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    event: Mapped[Event | None] = relationship()

    def __repr__(self) -> str:
        return f"<Broadcast {self.id} {self.kind} {self.status} due {self.due_at}>"
