"""The public site: event list, event pages, registration, calendar feeds."""

from eventsvc.i18n import localized_blueprint
from eventsvc.markdown import render_markdown

bp = localized_blueprint("public", __name__)
bp.add_app_template_filter(render_markdown, "markdown")

from eventsvc.public import certificates, feeds, logos, subscriptions, views  # noqa: E402,F401
