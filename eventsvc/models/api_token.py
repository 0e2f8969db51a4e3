import enum
from datetime import datetime

from sqlalchemy import ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from eventsvc import clock
from eventsvc.extensions import db
from eventsvc.models.organiser import Organiser
from eventsvc.models.types import UTCDateTime, str_enum


class TokenScope(enum.StrEnum):
    READ = "read"
    #: Read, and create or cancel registrations.
    WRITE = "write"


class ApiToken(db.Model):
    """An organiser's key to the API: it sees what the organiser sees in the workspace.

    Only the SHA-256 of the token is stored (``services.api_tokens`` says why that suffices);
    the token itself is shown once, when it is made.
    """

    id: Mapped[int] = mapped_column(primary_key=True)
    organiser_id: Mapped[int] = mapped_column(
        ForeignKey("organiser.id", ondelete="CASCADE"), index=True
    )
    name: Mapped[str] = mapped_column(String(100))
    scope: Mapped[TokenScope] = mapped_column(str_enum(TokenScope, 8))
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    #: The token's first characters, to tell tokens apart on the page (not a secret).
    prefix: Mapped[str] = mapped_column(String(16))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=clock.now)
    last_used_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    organiser: Mapped[Organiser] = relationship(lazy="joined")

    @property
    def may_write(self) -> bool:
        return self.scope == TokenScope.WRITE
