from sqlalchemy import Float, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from eventsvc.extensions import db


class RateLimitCounter(db.Model):
    """One fixed-window counter of :mod:`eventsvc.ratelimits`, shared by every process.

    ``expires_at`` is in seconds since the epoch, as the ``limits`` library counts windows.
    """

    __tablename__ = "rate_limit_counter"

    key: Mapped[str] = mapped_column(String(255), primary_key=True)
    count: Mapped[int] = mapped_column(Integer, default=0)
    expires_at: Mapped[float] = mapped_column(Float, index=True)
