"""Question templates (issue 16): an event's question set saved under a name and applied to
another event.

A template holds the question list in the import format (``questions.as_items``), without the
retired questions and options: applying it is ``questions.set_questions`` on the event's own
list followed by the template's questions whose keys the event does not have yet, checked by
the same input as every other way of setting questions (a template saved when French was
optional is refused, with the path of the missing text, on an event that requires French).

Templates are shared by the workspace: whoever may save one (anyone who may edit an event's
form, :func:`may_manage`) may also rename or delete any of them, as saving under an existing
name already replaces it. Saving, applying, renaming and deleting are audited.
"""

from flask_babel import lazy_gettext as _l
from sqlalchemy import exists, select

from eventsvc import clock
from eventsvc.extensions import db
from eventsvc.i18n import best_text
from eventsvc.models import AuditEntry, Event, EventAssignment, Organiser
from eventsvc.models.question import QuestionType
from eventsvc.models.question_template import QuestionTemplate
from eventsvc.services import DomainError, audit, questions
from eventsvc.services.inputs.base import InputErrors
from eventsvc.services.inputs.question_template import parse_template_name

TEMPLATE_SAVED = "question_template_saved"
TEMPLATE_APPLIED = "question_template_applied"
TEMPLATE_RENAMED = "question_template_renamed"
TEMPLATE_DELETED = "question_template_deleted"
#: The actions shown as a template's history on the templates page.
TEMPLATE_ACTIONS = (TEMPLATE_SAVED, TEMPLATE_APPLIED, TEMPLATE_RENAMED, TEMPLATE_DELETED)


def may_manage(organiser: Organiser) -> bool:
    """Whoever may save a template (an admin, or an organiser assigned to an event, whose
    form they may save as one) may rename and delete templates."""
    if organiser.is_admin:
        return True
    return bool(
        db.session.scalar(select(exists().where(EventAssignment.organiser_id == organiser.id)))
    )


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


def question_labels(template: QuestionTemplate, locale: str) -> list[str]:
    """The template's questions as a reader of ``locale`` knows them (the built-in
    accessibility question by its built-in label), for a page to list."""
    return [
        str(questions.ACCESSIBILITY_LABEL)
        if item.get("type") == QuestionType.ACCESSIBILITY
        else best_text(item.get("label") or {}, locale)[0] or item.get("key", "")
        for item in template.items
    ]


def _template(template_id) -> QuestionTemplate:
    template = db.session.get(QuestionTemplate, template_id) if template_id else None
    if template is None:
        raise DomainError(_l("This template no longer exists."))
    return template


def rename_template(template_id, name, actor: Organiser | None) -> QuestionTemplate:
    """Gives the template a new name; :class:`InputErrors` on ``template_name`` when the name
    is empty, too long or another template's, :class:`DomainError` when it no longer exists."""
    template = _template(template_id)
    name = parse_template_name(name)
    if name == template.name:
        return template
    taken = db.session.scalar(
        select(QuestionTemplate.id).where(
            QuestionTemplate.name == name, QuestionTemplate.id != template.id
        )
    )
    if taken is not None:
        raise InputErrors(
            {"template_name": [_l("Another template already has this name: choose another.")]}
        )
    old = template.name
    template.name = name
    template.updated_at = clock.now()
    db.session.flush()
    audit.record(TEMPLATE_RENAMED, None, actor, template=name, previous=old)
    return template


def delete_template(template_id, actor: Organiser | None) -> str:
    """Deletes the template (the events it was applied to keep their questions); returns its
    name. :class:`DomainError` when it no longer exists."""
    template = _template(template_id)
    name = template.name
    db.session.delete(template)
    db.session.flush()
    audit.record(TEMPLATE_DELETED, None, actor, template=name, questions=len(template.items))
    return name


def template_history(limit: int = 20) -> list[AuditEntry]:
    """The latest saves, applications, renamings and deletions of templates, newest first."""
    return list(
        db.session.scalars(
            select(AuditEntry)
            .where(AuditEntry.action.in_(TEMPLATE_ACTIONS))
            .order_by(AuditEntry.id.desc())
            .limit(limit)
        )
    )


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
