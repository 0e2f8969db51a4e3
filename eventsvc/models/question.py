"""An event's own registration questions (issue 16) and the answers registrants give.

A :class:`Question` belongs to one event; its labels and help are ``{locale: text}``; a choice
question has :class:`QuestionChoice` options. An :class:`Answer` is one registration's answer to
one question, typed (one column per kind of value, so that answers can be filtered and counted
in SQL on SQLite and PostgreSQL alike); the options chosen are rows of ``answer_choice``.
Questions and options that have answers are never deleted, only ``retired``.
"""

import enum
from datetime import date

from sqlalchemy import (
    JSON,
    Boolean,
    Column,
    Date,
    ForeignKey,
    Index,
    Integer,
    String,
    Table,
    Text,
    UniqueConstraint,
    false,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from eventsvc.extensions import db
from eventsvc.models.event import Event
from eventsvc.models.registration import Registration
from eventsvc.models.types import str_enum

KEY_MAX = 40
LABEL_MAX = 300
HELP_MAX = 1000
#: The longest answer to a short text question; a long text takes :data:`LONG_TEXT_MAX`.
TEXT_MAX = 300
LONG_TEXT_MAX = 4000
DETAIL_MAX = 16

#: The key of the built-in accessibility question, its options and the sign languages offered.
ACCESSIBILITY = "accessibility"
ACCESSIBILITY_CHOICES = ("captions", "sign_language", "other")
SIGN_LANGUAGES = ("is", "lsf", "bsl", "asl", "lse", "other")


class QuestionType(enum.StrEnum):
    TEXT = "text"
    LONG_TEXT = "long_text"
    SINGLE_CHOICE = "single_choice"
    MULTIPLE_CHOICE = "multiple_choice"
    BOOLEAN = "boolean"
    NUMBER = "number"
    DATE = "date"
    COUNTRY = "country"
    CHECKBOX = "checkbox"
    ACCESSIBILITY = "accessibility"

    @property
    def has_choices(self) -> bool:
        return self in CHOICE_TYPES


CHOICE_TYPES = frozenset(
    {QuestionType.SINGLE_CHOICE, QuestionType.MULTIPLE_CHOICE, QuestionType.ACCESSIBILITY}
)


class Question(db.Model):
    """One question an event asks on its registration form, in the form's ``position``."""

    __table_args__ = (UniqueConstraint("event_id", "key"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    event_id: Mapped[int] = mapped_column(ForeignKey("event.id", ondelete="CASCADE"))
    key: Mapped[str] = mapped_column(String(KEY_MAX))
    type: Mapped[QuestionType] = mapped_column(str_enum(QuestionType, length=20))
    #: ``{locale: text}``; empty for the built-in accessibility question (its texts are ours).
    labels: Mapped[dict] = mapped_column(JSON, default=dict)
    help: Mapped[dict] = mapped_column(JSON, default=dict)
    required: Mapped[bool] = mapped_column(Boolean, default=False)
    position: Mapped[int] = mapped_column(Integer, default=0)
    #: Health, disability…: answers seen by the event's organisers and admins only, left out of
    #: default exports, erased ``SENSITIVE_ANSWERS_RETENTION_DAYS`` after the event.
    sensitive: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())
    #: Hidden from new registrants, kept (with its answers) in exports and statistics.
    retired: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())
    min_value: Mapped[int | None] = mapped_column(Integer)
    max_value: Mapped[int | None] = mapped_column(Integer)
    #: Shown only when the question of this key was answered with one of ``show_if_choices``.
    show_if_question: Mapped[str | None] = mapped_column(String(KEY_MAX))
    show_if_choices: Mapped[list[str]] = mapped_column(JSON, default=list)

    event: Mapped[Event] = relationship()
    choices: Mapped[list["QuestionChoice"]] = relationship(
        back_populates="question",
        cascade="all, delete-orphan",
        order_by="QuestionChoice.position",
        lazy="selectin",
    )

    @property
    def live_choices(self) -> list["QuestionChoice"]:
        return [choice for choice in self.choices if not choice.retired]

    def choice(self, key: str) -> "QuestionChoice | None":
        return next((choice for choice in self.choices if choice.key == key), None)

    def __repr__(self) -> str:
        return f"<Question {self.key} {self.type} event={self.event_id}>"


class QuestionChoice(db.Model):
    """One option of a choice question; ``places`` limits how many registrations may pick it."""

    __table_args__ = (UniqueConstraint("question_id", "key"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    question_id: Mapped[int] = mapped_column(ForeignKey("question.id", ondelete="CASCADE"))
    key: Mapped[str] = mapped_column(String(KEY_MAX))
    labels: Mapped[dict] = mapped_column(JSON, default=dict)
    position: Mapped[int] = mapped_column(Integer, default=0)
    places: Mapped[int | None] = mapped_column(Integer)
    retired: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())

    question: Mapped[Question] = relationship(back_populates="choices")


#: The options an answer picked (one row each).
answer_choice = Table(
    "answer_choice",
    db.metadata,
    Column("answer_id", ForeignKey("answer.id", ondelete="CASCADE"), primary_key=True),
    Column("choice_id", ForeignKey("question_choice.id", ondelete="CASCADE"), primary_key=True),
    Index("ix_answer_choice_choice_id", "choice_id"),
)


class Answer(db.Model):
    """One registration's answer to one question: the column of its type is set (a choice
    answer's options are in ``chosen``)."""

    __table_args__ = (
        UniqueConstraint("registration_id", "question_id"),
        Index("ix_answer_question_id", "question_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    registration_id: Mapped[int] = mapped_column(ForeignKey("registration.id", ondelete="CASCADE"))
    question_id: Mapped[int] = mapped_column(ForeignKey("question.id", ondelete="CASCADE"))
    text_value: Mapped[str | None] = mapped_column(Text)
    number_value: Mapped[int | None] = mapped_column(Integer)
    date_value: Mapped[date | None] = mapped_column(Date)
    bool_value: Mapped[bool | None] = mapped_column(Boolean)
    #: A short code qualifying the answer: the sign language of an accessibility answer.
    detail: Mapped[str | None] = mapped_column(String(DETAIL_MAX))

    registration: Mapped[Registration] = relationship()
    question: Mapped[Question] = relationship(lazy="joined")
    chosen: Mapped[list[QuestionChoice]] = relationship(
        secondary=answer_choice, lazy="selectin", order_by=QuestionChoice.position
    )
