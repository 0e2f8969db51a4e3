"""A registrant's own page, reached by the personal link in their mail."""

from eventsvc.i18n import localized_blueprint

bp = localized_blueprint("attendee", __name__, "/registrations")

from eventsvc.attendee import follow_up, views  # noqa: E402,F401
