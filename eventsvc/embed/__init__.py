"""Pages made to sit inside another site's page (``/embed/<lang>/…``): an event's essentials and
its registration form, the upcoming events. Framing is allowed for ``EMBED_ALLOWED_ORIGINS``
only, and nothing depends on a cookie: browsers that block third-party cookies (Safari, Chrome's
setting) would drop a session cookie inside the frame, so the form carries a signed token bound
to the event instead (:mod:`eventsvc.embed.forms`). See docs/embedding.md."""

from flask import Blueprint, abort, g
from flask_babel import refresh

from eventsvc.i18n import current_locale, supported_locales

bp = Blueprint("embed", __name__, url_prefix="/embed/<lang>")


@bp.url_value_preprocessor
def _pull_lang(endpoint, values):
    lang = (values or {}).pop("lang", None)
    if lang not in supported_locales():
        abort(404)
    g.lang = lang
    refresh()


@bp.url_defaults
def _add_lang(endpoint, values):
    if "lang" not in values:
        values["lang"] = getattr(g, "lang", None) or current_locale()


from eventsvc.embed import oembed, views  # noqa: E402,F401
