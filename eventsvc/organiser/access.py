"""Who may see the organiser workspace.

Every route of the ``organiser`` blueprint needs a signed-in, active organiser, checked once in
a ``before_request`` hook so that a route added later cannot forget it. Only the endpoints in
:data:`OPEN_ENDPOINTS` are reachable signed out. :func:`admin_required` adds the admin role.
:func:`current_organiser` is the signed-in account that views pass to services as the actor.
"""

from functools import wraps

from flask import Blueprint, abort, flash, redirect, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from sqlalchemy import select

from eventsvc.extensions import db, login_manager
from eventsvc.models import Event, Organiser
from eventsvc.services import assignments, second_factor

OPEN_ENDPOINTS = frozenset(
    {
        "organiser.login",
        "organiser.second_factor",
        "organiser.forgot_password",
        "organiser.choose_password",
    }
)

#: An account's id in a route: more than the integer column holds is a 404, not an overflow.
ACCOUNT_ID = "<int(max=2147483647):organiser_id>"

#: Reachable by a signed-in organiser who must still set up a second factor.
SETUP_ENDPOINTS = frozenset(
    {"organiser.account", "organiser.second_factor_setup", "organiser.logout"}
)


def current_organiser() -> Organiser:
    """The signed-in organiser itself (not Flask-Login's proxy): what services record as actor
    and what may be compared or stored on the session."""
    return current_user._get_current_object()


def protect(bp: Blueprint) -> None:
    """Send anyone not signed in to the sign-in page, before any view of ``bp`` runs."""
    login_manager.login_view = "organiser.login"
    login_manager.login_message = _l("Please sign in to see this page.")
    login_manager.login_message_category = "info"

    @bp.before_request
    def require_sign_in():
        if request.endpoint in OPEN_ENDPOINTS:
            return None
        if not current_user.is_authenticated:
            return login_manager.unauthorized()
        if _must_set_up_second_factor() and request.endpoint not in SETUP_ENDPOINTS:
            flash(_("Please set up a second factor to go on using the workspace."), "info")
            return redirect(url_for("organiser.second_factor_setup"))
        _require_assignment()
        return None

    @bp.after_request
    def never_cache(response):
        """Workspace pages carry personal data: no shared or back-button caches."""
        response.headers.setdefault("Cache-Control", "no-store")
        return response


def _require_assignment() -> None:
    """404 for an event the organiser is not assigned to, on every route naming one (its
    page, attendees, exports, erasure, announcements…); as if it did not exist."""
    slug = (request.view_args or {}).get("slug")
    if slug is None or current_user.is_admin:
        return
    event_id = db.session.scalar(select(Event.id).where(Event.slug == slug))
    if event_id is not None and not assignments.may_access(current_user, event_id):
        abort(404)


def _must_set_up_second_factor() -> bool:
    return not current_user.has_second_factor and second_factor.required()


def admin_required(view):
    """Restrict a view to administrators (403 for other organisers)."""

    @wraps(view)
    def wrapped(*args, **kwargs):
        if not current_user.is_authenticated:
            return login_manager.unauthorized()
        if not current_user.is_admin:
            abort(403)
        return view(*args, **kwargs)

    wrapped.admin_only = True
    return wrapped


def is_admin_only(view) -> bool:
    return getattr(view, "admin_only", False)
