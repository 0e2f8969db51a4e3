"""Question templates (issue 16): an event's question set saved under a name and applied to
another event.

A template holds the question list in the import format (``questions.as_items``), without the
retired questions and options: applying it is ``questions.set_questions`` on the event's own
list followed by the template's questions whose keys the event does not have yet, checked by
the same input as every other way of setting questions (a template saved when French was
optional is refused, with the path of the missing text, on an event that requires French).
"""

from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from eventsvc import clock
from eventsvc.extensions import db
from eventsvc.models import Event, Organiser
from eventsvc.models.question_template import QuestionTemplate
from eventsvc.services import DomainError, audit, questions
from eventsvc.services.inputs.question_template import parse_template_name

TEMPLATE_SAVED = "question_template_saved"
TEMPLATE_APPLIED = "question_template_applied"


def all_templates() -> list[QuestionTemplate]:
    return list(db.session.scalars(select(QuestionTemplate).order_by(QuestionTemplate.name)))


def save_template(event: Event, name, actor: Organiser | None) -> QuestionTemplate:
    """Saves ``event``'s live questions as the template ``name`` (replacing a template of that
    name); :class:`InputErrors` on ``template_name``, :class:`DomainError` with no question."""
    name = parse_template_name(name)
    items = _live(questions.as_items(event))
    if not items:
        raise DomainError(_l("This event asks no question yet: there is nothing to save."))
    template = db.session.scalar(select(QuestionTemplate).where(QuestionTemplate.name == name))
    if template is None:
        template = QuestionTemplate(name=name, created_by_id=actor.id if actor else None)
        db.session.add(template)
    template.items = items
    template.updated_at = clock.now()
    db.session.flush()
    audit.record(TEMPLATE_SAVED, event, actor, template=name, questions=len(items))
    return template


def apply_template(event: Event, template_id: int, actor: Organiser | None) -> int:
    """Adds the template's questions that ``event`` does not have (by key) after its own;
    returns how many were added. :class:`InputErrors` keyed by path as ``set_questions``
    (the paths of :func:`merged_items`)."""
    template = _template(template_id)
    items, added = merged_items(event, template)
    if added:
        questions.set_questions(event, items)
        audit.record(TEMPLATE_APPLIED, event, actor, template=template.name, questions=added)
    return added


def merged_items(event: Event, template: QuestionTemplate | int) -> tuple[list[dict], int]:
    """The event's questions followed by the template's new ones, and how many are new: what
    applying the template sets, for a page to show when it is refused."""
    if not isinstance(template, QuestionTemplate):
        template = _template(template)
    current = questions.as_items(event)
    keys = {item["key"] for item in current}
    added = [item for item in template.items if item.get("key") not in keys]
    return current + added, len(added)


def _template(template_id) -> QuestionTemplate:
    template = db.session.get(QuestionTemplate, template_id) if template_id else None
    if template is None:
        raise DomainError(_l("This template no longer exists."))
    return template


def delete_template(template_id: int) -> None:
    template = db.session.get(QuestionTemplate, template_id)
    if template is not None:
        db.session.delete(template)
        db.session.flush()


def _live(items: list[dict]) -> list[dict]:
    """The items without retired questions and options (a new event starts from what is
    asked today); conditions on a retired question are dropped with it."""
    live = [dict(item) for item in items if not item.get("retired")]
    keys = {item["key"] for item in live}
    for item in live:
        if "choices" in item:
            item["choices"] = [c for c in item["choices"] if not c.get("retired")]
        condition = item.get("show_if")
        if condition and condition.get("question") not in keys:
            del item["show_if"]
    return live
