"""Organiser sessions that the server can end.

The signed cookie holds ``"<id>:<generation>"`` (:meth:`Organiser.get_id`) and the times the
session began and was last used. On every request the user loader checks them against the
account: a bumped generation (sign-out, new password, deactivation, role change, "sign out
everywhere"), ``SESSION_IDLE_TIMEOUT`` seconds without a request or ``SESSION_ABSOLUTE_TIMEOUT``
seconds since signing in all make a copied cookie worthless.
"""

from flask import current_app, session
from flask_login import login_user

from eventsvc import clock
from eventsvc.extensions import db
from eventsvc.models import Organiser

_BEGAN = "signed_in_at"
_SEEN = "seen_at"
#: The last-use time is written back at most this often (each write re-sends the cookie).
_SEEN_RESOLUTION = 60


def start(organiser: Organiser) -> None:
    """A fresh session (no fixation), keeping only the chosen language."""
    lang = session.get("lang")
    session.clear()
    if lang:
        session["lang"] = lang
    now = clock.now().timestamp()
    session[_BEGAN] = now
    session[_SEEN] = now
    login_user(organiser)


def renew(organiser: Organiser) -> None:
    """After the organiser's own change that bumped the generation: keep this session."""
    login_user(organiser)


def load(session_id: str) -> Organiser | None:
    """The signed-in organiser, or ``None`` if the session has been revoked or has expired."""
    organiser_id, _sep, generation = session_id.partition(":")
    if not organiser_id.isdigit() or not generation.isdigit():
        return None
    organiser = db.session.get(Organiser, int(organiser_id))
    if organiser is None or not organiser.active:
        return None
    if int(generation) != organiser.session_generation or not _fresh_enough():
        return None
    return organiser


def _fresh_enough() -> bool:
    config = current_app.config
    now = clock.now().timestamp()
    began, seen = session.get(_BEGAN), session.get(_SEEN)
    if not isinstance(began, int | float) or not isinstance(seen, int | float):
        return False
    if now - began > float(config["SESSION_ABSOLUTE_TIMEOUT"]):
        return False
    if now - seen > float(config["SESSION_IDLE_TIMEOUT"]):
        return False
    if now - seen >= _SEEN_RESOLUTION:
        session[_SEEN] = now
    return True
