"""The public site: event list, event pages, registration, calendar feeds."""

from eventsvc.i18n import localized_blueprint

bp = localized_blueprint("public", __name__)

from eventsvc.public import views  # noqa: E402,F401
