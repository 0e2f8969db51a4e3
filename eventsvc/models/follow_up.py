"""After an event: the organisers' follow-up mail and the certificates of attendance."""

import enum
import secrets
from datetime import datetime

from sqlalchemy import JSON, Boolean, ForeignKey, Integer, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from eventsvc import clock
from eventsvc.extensions import db
from eventsvc.models.registration import Registration
from eventsvc.models.types import UTCDateTime

URL_MAX = 500
#: Letters and digits nobody confuses when copying a code from paper (no 0/O, 1/I/L).
CODE_ALPHABET = "ABCDEFGHJKMNPQRSTUVWXYZ23456789"
CODE_LENGTH = 16  # 31**16: about 79 bits, so codes cannot be guessed or enumerated


class Variant(enum.StrEnum):
    """Which follow-up a registrant gets: attended by the event's rule, or not."""

    ATTENDED = "attended"
    ABSENT = "absent"


class FollowUp(db.Model):
    """The organisers' follow-up of one event, written once per language and variant.

    ``texts`` maps a locale to ``{"attended": {"subject", "body"}, "absent": {…}}`` (Markdown
    bodies). The slides are a PDF file stored under the instance folder (``slides_path``, relative
    to ``FOLLOW_UP_FILES_DIR``), served to registrants through their personal link only.
    """

    id: Mapped[int] = mapped_column(primary_key=True)
    event_id: Mapped[int] = mapped_column(ForeignKey("event.id", ondelete="CASCADE"), unique=True)
    texts: Mapped[dict] = mapped_column(JSON, default=dict)
    recording_url: Mapped[str] = mapped_column(String(URL_MAX), default="")
    survey_url: Mapped[str] = mapped_column(String(URL_MAX), default="")
    slides_path: Mapped[str] = mapped_column(String(255), default="")
    slides_size: Mapped[int] = mapped_column(Integer, default=0)
    #: Attach each attendee's certificate to the attendees' variant.
    attach_certificate: Mapped[bool] = mapped_column(Boolean, default=False)
    #: ``None``: the morning after, 09:00 in each registrant's zone; else this instant for all.
    attended_send_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    absent_send_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    #: When the messages were queued (then the texts may still change until each is sent).
    queued_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=clock.now, onupdate=clock.now)

    def text(self, locale: str, variant: str) -> dict:
        return ((self.texts or {}).get(locale) or {}).get(str(variant)) or {}

    def send_at(self, variant: str) -> datetime | None:
        return self.attended_send_at if variant == Variant.ATTENDED else self.absent_send_at


def new_certificate_code() -> str:
    return "".join(secrets.choice(CODE_ALPHABET) for _ in range(CODE_LENGTH))


class Certificate(db.Model):
    """A certificate of attendance issued to one registrant; ``code`` is its public proof.

    The name, minutes and date are fixed when it is issued, so a verification confirms what
    the paper says even if the registration changes later; erasing the registration deletes it.
    """

    id: Mapped[int] = mapped_column(primary_key=True)
    registration_id: Mapped[int] = mapped_column(
        ForeignKey("registration.id", ondelete="CASCADE"), unique=True
    )
    code: Mapped[str] = mapped_column(String(32), unique=True, default=new_certificate_code)
    full_name: Mapped[str] = mapped_column(String(200))
    minutes: Mapped[int | None] = mapped_column(Integer)
    issued_at: Mapped[datetime] = mapped_column(UTCDateTime, default=clock.now)

    registration: Mapped[Registration] = relationship(lazy="joined")
