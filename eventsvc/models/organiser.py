import enum
from datetime import datetime

from flask_login import UserMixin
from sqlalchemy import JSON, Boolean, ForeignKey, Index, Integer, String
from sqlalchemy.orm import Mapped, mapped_column
from werkzeug.security import check_password_hash, generate_password_hash

from eventsvc import clock
from eventsvc.extensions import db
from eventsvc.models.types import UTCDateTime, str_enum
from eventsvc.passwords import dummy_hash, password_method


class Role(enum.StrEnum):
    ADMIN = "admin"  # manages organiser accounts
    ORGANISER = "organiser"


class Organiser(UserMixin, db.Model):
    id: Mapped[int] = mapped_column(primary_key=True)
    email: Mapped[str] = mapped_column(String(254), unique=True)
    name: Mapped[str] = mapped_column(String(200), default="")
    password_hash: Mapped[str] = mapped_column(String(255))
    role: Mapped[Role] = mapped_column(
        str_enum(Role),
        default=Role.ORGANISER,
    )
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    locale: Mapped[str] = mapped_column(String(8), default="en")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=clock.now)
    #: Part of the id kept in the session cookie: bumping it signs the account out everywhere.
    session_generation: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    #: When the last invitation was sent; ``None`` once the organiser has chosen a password.
    invited_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    #: Base32 TOTP secret once a second factor is confirmed (``None``: password only).
    totp_secret: Mapped[str | None] = mapped_column(String(64))
    #: The 30-second step of the last code accepted: no code is accepted twice.
    totp_last_step: Mapped[int | None] = mapped_column(Integer)
    #: Hashes of the recovery codes not yet used.
    recovery_codes: Mapped[list] = mapped_column(JSON, default=list)

    def set_password(self, password: str) -> None:
        self.password_hash = generate_password_hash(password, method=password_method())

    def check_password(self, password: str) -> bool:
        """Whether ``password`` is this account's; an invited account without one has none."""
        if not self.password_hash:
            check_password_hash(dummy_hash(), password)  # the same time as a real check
            return False
        return check_password_hash(self.password_hash, password)

    def get_id(self) -> str:
        """The session's id: the generation in it makes every older session cookie stale."""
        return f"{self.id}:{self.session_generation}"

    def sign_out_everywhere(self) -> None:
        self.session_generation = (self.session_generation or 0) + 1

    @property
    def has_second_factor(self) -> bool:
        return bool(self.totp_secret)

    @property
    def is_active(self) -> bool:
        return self.active

    @property
    def is_admin(self) -> bool:
        return self.role == Role.ADMIN


class SignInFailure(db.Model):
    """One failed sign-in: what was typed as the address, and from where.

    Kept in the database so that every worker counts the same failures; the throttle counts
    recent rows per (address, source) and per source, never per account alone.
    """

    __table_args__ = (
        Index("ix_sign_in_failure_account_source", "account", "source", "failed_at"),
        Index("ix_sign_in_failure_source", "source", "failed_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    account: Mapped[str] = mapped_column(String(254))
    source: Mapped[str] = mapped_column(String(64))
    failed_at: Mapped[datetime] = mapped_column(UTCDateTime, default=clock.now)


class EventAssignment(db.Model):
    """An organiser who may see and change an event (admins may see every event)."""

    event_id: Mapped[int] = mapped_column(
        ForeignKey("event.id", ondelete="CASCADE"), primary_key=True
    )
    organiser_id: Mapped[int] = mapped_column(
        ForeignKey("organiser.id", ondelete="CASCADE"), primary_key=True, index=True
    )


class SiteSetting(db.Model):
    """A setting that administrators change in the workspace (``REQUIRE_SECOND_FACTOR``…)."""

    key: Mapped[str] = mapped_column(String(64), primary_key=True)
    value: Mapped[dict] = mapped_column(JSON, default=dict)
