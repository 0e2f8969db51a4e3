"""Mail bodies rendered once for all the registrants who get the same text.

A reminder fan-out renders the same two templates with the same context for thousands of
people; only their name, their personal link and their add-to-calendar links differ. So a body
is rendered with marks in their place, cached, and each message puts its own in
(``messages._bodies``).

The cache is keyed on the :class:`jinja2.Template` objects the app's Jinja environment returns
and on the context. With template auto-reload on (``DEBUG`` or ``TEMPLATES_AUTO_RELOAD``),
Jinja returns a new template object once its file has changed, so an edited mail template shows
in the next message; otherwise it returns the same one and the key is stable.
"""

import re
from functools import lru_cache

from flask import current_app
from jinja2 import Template

#: Stand in for the registrant's name and personal link in cached bodies (private-use
#: characters: escaping and formatting leave them as they are).
NAME_MARK = "\ue000name\ue000"
LINK_MARK = "\ue000link\ue000"
#: Stands for the registrant's personal join link (``urls.join_url``), never the raw address.
JOIN_MARK = "\ue000join\ue000"
#: Stand in for the registrant's add-to-calendar links (their details carry the personal link).
CALENDAR_MARKS = {
    "google": "\ue000google\ue000",
    "outlook_com": "\ue000outlook\ue000",
    "microsoft_365": "\ue000m365\ue000",
    "ics": "\ue000ics\ue000",
}


def marked_bodies(template: str, items: tuple) -> tuple[str, str]:
    """``email/<template>.txt`` and ``.html`` rendered with ``items`` (the context as sorted
    pairs of hashable values, the locale among them) and the marks."""
    environment = current_app.jinja_env
    return _render_pair(
        environment.get_template(f"email/{template}.txt"),
        environment.get_template(f"email/{template}.html"),
        items,
    )


@lru_cache(maxsize=512)
def _render_pair(text: Template, html: Template, items: tuple) -> tuple[str, str]:
    context = dict(
        items,
        name=NAME_MARK,
        manage_url=LINK_MARK,
        link=LINK_MARK,
        join_url=JOIN_MARK,
        calendar=CALENDAR_MARKS,
    )
    return tidy(text.render(context)), tidy(html.render(context))


def tidy(body: str) -> str:
    return re.sub(r"\n{3,}", "\n\n", body).strip() + "\n"
