"""A named set of registration questions an organiser saved to ask again (issue 16).

``items`` is the question list in the import file's format (``services.questions.as_items``),
so applying a template is ``set_questions`` with it: one format and one set of rules.
"""

from datetime import datetime

from sqlalchemy import JSON, ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from eventsvc import clock
from eventsvc.extensions import db
from eventsvc.models.organiser import Organiser
from eventsvc.models.types import UTCDateTime

TEMPLATE_NAME_MAX = 120


class QuestionTemplate(db.Model):
    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(TEMPLATE_NAME_MAX), unique=True)
    items: Mapped[list] = mapped_column(JSON, default=list)
    created_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("organiser.id", ondelete="SET NULL")
    )
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=clock.now)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=clock.now)

    created_by: Mapped[Organiser | None] = relationship(lazy="joined")

    def __repr__(self) -> str:
        return f"<QuestionTemplate {self.name!r}>"
