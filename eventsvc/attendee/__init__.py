"""A registrant's own page, reached by the personal link in their mail."""

from eventsvc.i18n import localized_blueprint

bp = localized_blueprint("attendee", __name__, "/registrations")


def keep_private(response):
    """Personal pages (the registrant's own, the join link): never cached, indexed, or named in
    the Referer of outgoing links. One rule for every blueprint that answers a personal token."""
    response.headers["Cache-Control"] = "no-store"
    response.headers["X-Robots-Tag"] = "noindex"
    response.headers["Referrer-Policy"] = "no-referrer"
    return response


bp.after_request(keep_private)

from eventsvc.attendee import follow_up, views  # noqa: E402,F401
