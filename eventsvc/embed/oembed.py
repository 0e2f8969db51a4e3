"""oEmbed (https://oembed.com/): ``/oembed?url=<an event's address>&format=json`` answers the
embed's frame as a ``rich`` item, so a CMS that supports oEmbed embeds an event from its address
alone. Event pages carry the discovery link (``templates/public/event.html``)."""

import re
from urllib.parse import urlsplit

from flask import abort, current_app, jsonify, request
from markupsafe import escape

from eventsvc.embed import bp
from eventsvc.i18n import supported_locales
from eventsvc.lookups import event_or_404
from eventsvc.urls import public_url

#: The frame's size when the consumer sets no maximum (pixels).
WIDTH, HEIGHT = 600, 1100

#: The addresses an event is embedded from: its public page, or its embed page.
_EVENT_PATH = re.compile(r"^/(?:embed/)?(?P<lang>[a-z]{2})/events/(?P<slug>[a-z0-9-]+)/?$")


@bp.record_once
def _oembed_endpoint(state):
    state.app.add_url_rule("/oembed", "oembed", oembed)


def oembed():
    if request.args.get("format", "json") != "json":
        abort(501)  # the specification's answer for a format not offered
    lang, slug = _event_address(request.args.get("url", ""))
    event = event_or_404(slug, public=True)
    content = event.content(lang)
    width = _bounded(request.args.get("maxwidth"), WIDTH)
    height = _bounded(request.args.get("maxheight"), HEIGHT)
    src = public_url("embed.event", slug=event.slug, lang=lang)
    html = (
        f'<iframe src="{escape(src)}" title="{escape(content.title)}" width="{width}" '
        f'height="{height}" style="border:0;max-width:100%" loading="lazy"></iframe>'
    )
    answer = jsonify(
        version="1.0",
        type="rich",
        title=content.title,
        provider_name=current_app.config.get("SITE_NAME") or current_app.config["ORGANIZER_NAME"],
        provider_url=current_app.config["PUBLIC_BASE_URL"].rstrip("/") + "/",
        html=html,
        width=width,
        height=height,
        cache_age=3600,
    )
    answer.cache_control.public = True
    answer.cache_control.max_age = 3600
    return answer


def _event_address(url: str) -> tuple[str, str]:
    """The language and slug of an event address on this site; 404 for any other address."""
    base = urlsplit(current_app.config["PUBLIC_BASE_URL"])
    parts = urlsplit(url.strip())
    if (parts.scheme, parts.netloc) != (base.scheme, base.netloc):
        abort(404)
    path = parts.path
    prefix = base.path.rstrip("/")
    if prefix:
        if not path.startswith(prefix + "/"):
            abort(404)
        path = path[len(prefix) :]
    match = _EVENT_PATH.match(path)
    if match is None or match["lang"] not in supported_locales():
        abort(404)
    return match["lang"], match["slug"]


def _bounded(value: str | None, default: int) -> int:
    """``default``, or the consumer's maximum if smaller (a positive integer, else ignored)."""
    if value and value.isascii() and value.isdigit() and 0 < int(value) < default:
        return int(value)
    return default
