"""The question template input: the name an organiser gives an event's question set to ask it
again elsewhere. Field key: ``template_name``."""

from flask_babel import lazy_gettext as _l

from eventsvc.models.question_template import TEMPLATE_NAME_MAX
from eventsvc.services.inputs.base import Errors, max_length


def parse_template_name(value) -> str:
    """The name, stripped; :class:`InputErrors` on ``template_name`` when empty or too long."""
    errors = Errors()
    name = " ".join(str(value or "").split())
    if not name:
        errors.add("template_name", _l("Give the template a name."))
    max_length("template_name", name, TEMPLATE_NAME_MAX, errors.add)
    errors.raise_if_any()
    return name
