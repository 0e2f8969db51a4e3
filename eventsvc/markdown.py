"""Event descriptions: Markdown written by organisers, rendered to sanitised HTML.

markdown-it-py renders (raw HTML off), nh3 then keeps only an allow-list of tags, attributes and
URL schemes, so a description can never carry a script, a style or an event handler.
Headings are moved under the page's own ``h1`` and ``h2``: the description's highest heading
becomes ``h3`` and the levels it uses follow without a gap (axe: heading-order).
"""

from functools import cache, lru_cache

import nh3
from markdown_it import MarkdownIt
from markupsafe import Markup

#: The level of a description's highest heading on the page (under the page's ``h2``).
TOP_HEADING_LEVEL = 3

ALLOWED_TAGS = {
    "a",
    "blockquote",
    "br",
    "code",
    "del",
    "em",
    "h3",
    "h4",
    "h5",
    "h6",
    "hr",
    "li",
    "ol",
    "p",
    "pre",
    "strong",
    "table",
    "tbody",
    "td",
    "th",
    "thead",
    "tr",
    "ul",
}
ALLOWED_ATTRIBUTES = {"a": {"href", "title"}, "ol": {"start"}, "th": {"align"}, "td": {"align"}}
URL_SCHEMES = {"http", "https", "mailto"}


@cache
def _parser(linkify: bool = False) -> MarkdownIt:
    rules = ["table", "strikethrough", "replacements"] + (["linkify"] if linkify else [])
    return MarkdownIt(
        "commonmark", {"html": False, "typographer": True, "linkify": linkify}
    ).enable(rules)


def _shift_headings(tokens) -> None:
    """Map the heading levels the text uses, in order, onto h3, h4, … (h6 at most): "## A" then
    "#### B" become h3 then h4, whatever level the organiser started at."""
    headings = [token for token in tokens if token.type in ("heading_open", "heading_close")]
    used = sorted({int(token.tag[1]) for token in headings})
    levels = {level: min(TOP_HEADING_LEVEL + rank, 6) for rank, level in enumerate(used)}
    for token in headings:
        token.tag = f"h{levels[int(token.tag[1])]}"


#: Distinct descriptions kept rendered (per locale, so about two per live event).
CACHED_DESCRIPTIONS = 512


def render_markdown(text: str | None) -> Markup:
    """Safe HTML for ``text``; empty input gives empty markup."""
    if not text:
        return Markup("")
    return _rendered(text)


def render_message_markdown(text: str | None) -> Markup:
    """Safe HTML for an organiser's message (announcements): as :func:`render_markdown`, and a
    bare address such as ``https://zoom.us/j/123`` or ``www.omep.org`` becomes a link, since
    people paste links into messages rather than write Markdown links (linkify-it-py)."""
    if not text:
        return Markup("")
    return _rendered(text, linkify=True)


@lru_cache(maxsize=CACHED_DESCRIPTIONS)
def _rendered(text: str, linkify: bool = False) -> Markup:
    """Keyed by the text itself, so an edited description is rendered afresh and can never be
    served stale; rendering and sanitising took about 1 ms per page view."""
    parser = _parser(linkify)
    tokens = parser.parse(text)
    _shift_headings(tokens)
    html = parser.renderer.render(tokens, parser.options, {})
    cleaned = nh3.clean(
        html,
        tags=ALLOWED_TAGS,
        attributes=ALLOWED_ATTRIBUTES,
        url_schemes=URL_SCHEMES,
        link_rel="noopener noreferrer nofollow",
    )
    return Markup(cleaned)  # noqa: S704 (sanitised by nh3 just above)
