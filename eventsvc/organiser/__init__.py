"""The organisers' workspace under /organiser."""

from flask import Blueprint

from eventsvc.extensions import login_manager
from eventsvc.models import Organiser
from eventsvc.organiser import sessions
from eventsvc.organiser.access import protect

bp = Blueprint("organiser", __name__, url_prefix="/organiser")
protect(bp)


@login_manager.user_loader
def load_organiser(session_id: str) -> Organiser | None:
    return sessions.load(session_id)


from eventsvc.organiser import (  # noqa: E402,F401
    account,
    announcements,
    api_tokens,
    assignment,
    attendance,
    attendees,
    dashboard,
    events,
    exports,
    follow_up,
    organisers,
    partners,
    presenters,
    question_templates,
    questions_builder,
    reminders,
    sign_in,
    stats,
    subscribers,
    webhooks,
)
