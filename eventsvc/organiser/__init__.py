"""The organisers' workspace under /organiser."""

from flask import Blueprint

from eventsvc.extensions import db, login_manager
from eventsvc.models import Organiser
from eventsvc.organiser.access import protect

bp = Blueprint("organiser", __name__, url_prefix="/organiser")
protect(bp)


@login_manager.user_loader
def load_organiser(organiser_id: str) -> Organiser | None:
    organiser = db.session.get(Organiser, int(organiser_id))
    return organiser if organiser is not None and organiser.active else None


from eventsvc.organiser import (  # noqa: E402,F401
    announcements,
    attendees,
    exports,
    partners,
    stats,
    views,
)
