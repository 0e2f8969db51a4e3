"""Who came: the meeting platform's participant reports, their rows, and the attendance each
registration adds up to (``services/attendance.py`` computes it; nothing here decides)."""

import enum
from datetime import datetime

from sqlalchemy import Boolean, ForeignKey, Index, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from eventsvc import clock
from eventsvc.extensions import db
from eventsvc.models.registration import EMAIL_MAX, NAME_MAX, ZONE_MAX, Registration
from eventsvc.models.types import UTCDateTime, str_enum

#: The rule when an event sets none: present for at least half of the event's duration.
DEFAULT_ATTENDED_PERCENT = 50
FILENAME_MAX = 255


class ReportFormat(enum.StrEnum):
    ZOOM = "zoom"
    TEAMS = "teams"
    BBB = "bbb"
    GENERIC = "generic"


class RowState(enum.StrEnum):
    #: Counted towards ``registration_id``'s attendance (by address, by name, or by hand).
    MATCHED = "matched"
    #: Nobody found; waits for the organiser to choose a registration or ignore it.
    UNMATCHED = "unmatched"
    #: Set aside by the organiser (a panelist, the host, a test account): never counted.
    IGNORED = "ignored"


class AttendanceReport(db.Model):
    """One uploaded participant report. The same content uploaded twice to one event is one
    report (``content_sha256``), so re-uploading changes nothing."""

    __table_args__ = (UniqueConstraint("event_id", "content_sha256"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    event_id: Mapped[int] = mapped_column(ForeignKey("event.id", ondelete="CASCADE"), index=True)
    format: Mapped[ReportFormat] = mapped_column(str_enum(ReportFormat))
    content_sha256: Mapped[str] = mapped_column(String(64))
    filename: Mapped[str] = mapped_column(String(FILENAME_MAX), default="")
    #: The zone the file's wall times were read in ("" when every time carried its offset).
    timezone: Mapped[str] = mapped_column(String(ZONE_MAX), default="")
    uploaded_at: Mapped[datetime] = mapped_column(UTCDateTime, default=clock.now)
    #: The organiser who uploaded it; ``None`` from the command line.
    uploaded_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("organiser.id", ondelete="SET NULL")
    )

    rows: Mapped[list["AttendanceRow"]] = relationship(
        back_populates="report", cascade="all, delete-orphan", order_by="AttendanceRow.line"
    )


class AttendanceRow(db.Model):
    """One participant line of a report, kept whether or not it matched anyone, so that
    the organiser can match it by hand later and attendance can be recomputed from the rows."""

    __table_args__ = (Index("ix_attendance_row_event_state", "event_id", "state"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    report_id: Mapped[int] = mapped_column(
        ForeignKey("attendance_report.id", ondelete="CASCADE"), index=True
    )
    event_id: Mapped[int] = mapped_column(ForeignKey("event.id", ondelete="CASCADE"))
    #: The line of the file it came from (1 = the first line), for the organiser's reference.
    line: Mapped[int] = mapped_column(Integer)
    name: Mapped[str] = mapped_column(String(NAME_MAX), default="")
    email: Mapped[str] = mapped_column(String(EMAIL_MAX), default="")
    joined_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    left_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    #: As the file gives it; with join and leave times the interval counts instead.
    minutes: Mapped[int] = mapped_column(Integer, default=0)
    state: Mapped[RowState] = mapped_column(str_enum(RowState))
    registration_id: Mapped[int | None] = mapped_column(
        ForeignKey("registration.id", ondelete="SET NULL"), index=True
    )

    report: Mapped[AttendanceReport] = relationship(back_populates="rows")


class Attendance(db.Model):
    """What the reports say about one registration: minutes present (overlapping rejoins
    counted once), first and last join, and whether that makes it "attended" by the event's
    rule (``Event.attended_minutes`` / ``Event.attended_percent``)."""

    id: Mapped[int] = mapped_column(primary_key=True)
    registration_id: Mapped[int] = mapped_column(
        ForeignKey("registration.id", ondelete="CASCADE"), unique=True
    )
    event_id: Mapped[int] = mapped_column(ForeignKey("event.id", ondelete="CASCADE"), index=True)
    minutes: Mapped[int] = mapped_column(Integer, default=0)
    first_joined_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    last_joined_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    attended: Mapped[bool] = mapped_column(Boolean, default=False)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=clock.now, onupdate=clock.now)

    registration: Mapped[Registration] = relationship()
