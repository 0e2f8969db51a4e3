"""The registration form builder of an event: its own questions, in every language, reordered,
retired, previewed (issue 16).

The page is one form. Its buttons that add, move or delete a question, or add or remove an
option, change the page as typed and show it again (nothing is saved, nothing typed is lost, no
JavaScript needed); *Save* hands the whole list to ``questions.set_questions``, which checks it
with the questions input and applies it. :mod:`eventsvc.organiser.question_form` maps the page
onto that list and the input's errors back onto the page.
"""

from flask import flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import ngettext

from eventsvc.i18n import supported_locales
from eventsvc.lookups import event_or_404
from eventsvc.models import Event, EventStatus
from eventsvc.organiser import bp
from eventsvc.organiser.access import current_organiser
from eventsvc.organiser.forms import ActionForm
from eventsvc.organiser.question_form import (
    BUILT_IN,
    CHOICE_TYPES,
    TYPE_LABELS,
    TYPES,
    apply_action,
    condition_candidates,
    items_from_form,
    path_id,
    placed_errors,
)
from eventsvc.row_ids import row_id
from eventsvc.services import DomainError, question_templates, questions
from eventsvc.services.inputs.base import InputErrors
from eventsvc.unit_of_work import unit_of_work


@bp.route("/events/<slug>/form", methods=["GET", "POST"])
def form_builder(slug):
    event = event_or_404(slug)
    if request.method == "GET":
        return _render(event, questions.as_items(event))
    locales = supported_locales()
    items = items_from_form(request.form, locales)
    if not ActionForm().validate_on_submit():
        flash(_("The page had expired: please press the button again."), "error")
        return _render(event, items, status=400)
    if event.status == EventStatus.CANCELLED:
        flash(_("This event has been cancelled and can no longer be changed."), "error")
        return _render(event, items, status=409)
    action = request.form.get("action", "save")
    if action != "save":
        items, understood = apply_action(items, action, request.form.get("new_type", ""))
        if understood:
            flash(_("Changed on the page only: press “Save the form” to keep it."), "info")
        return _render(event, items)
    try:
        with unit_of_work():
            questions.save_form(event, items, current_organiser())
    except InputErrors as failure:
        return _render(event, items, failure.errors, status=422)
    except DomainError as refusal:
        flash(refusal.message, "error")
        return _render(event, items, status=422)
    flash(_("The registration form has been saved."), "success")
    return redirect(url_for(".form_builder", slug=event.slug))


@bp.post("/events/<slug>/form/template")
def save_question_template(slug):
    """Saves the event's questions (as stored) as a named template."""
    event = event_or_404(slug)
    if not ActionForm().validate_on_submit():
        flash(_("The page had expired: please press the button again."), "error")
        return redirect(url_for(".form_builder", slug=event.slug))
    name = request.form.get("template_name", "")
    try:
        with unit_of_work():
            question_templates.save_template(event, name, current_organiser())
    except InputErrors as failure:
        messages = [str(m) for ms in failure.errors.values() for m in ms]
        return _render(
            event, questions.as_items(event), template_errors=messages, template_name=name
        )
    except DomainError as refusal:
        flash(refusal.message, "error")
    else:
        flash(_("The questions have been saved as the template “%(name)s”.", name=name), "success")
    return redirect(url_for(".form_builder", slug=event.slug))


@bp.post("/events/<slug>/form/apply")
def apply_question_template(slug):
    """Adds a template's questions to the event's; when the event needs more (a text in a
    language it requires), the page shows them with their errors, to complete and save."""
    event = event_or_404(slug)
    if not ActionForm().validate_on_submit():
        flash(_("The page had expired: please press the button again."), "error")
        return redirect(url_for(".form_builder", slug=event.slug))
    template_id = request.form.get("template", type=row_id)
    try:
        with unit_of_work():
            added = question_templates.apply_template(event, template_id, current_organiser())
    except InputErrors as failure:
        items, _added = question_templates.merged_items(event, template_id)
        flash(_("Complete the template's questions for this event, then save the form."), "info")
        return _render(event, items, failure.errors, status=422)
    except DomainError as refusal:
        flash(refusal.message, "error")
    else:
        flash(
            ngettext(
                "%(num)d question has been added from the template.",
                "%(num)d questions have been added from the template.",
                added,
            )
            if added
            else _("The event already has every question of this template."),
            "success" if added else "info",
        )
    return redirect(url_for(".form_builder", slug=event.slug))


def _render(
    event: Event,
    items: list[dict],
    errors=None,
    status: int | None = None,
    template_errors=(),
    template_name="",
):
    locales = supported_locales()
    placed, summary = placed_errors(errors or {}, items, locales)
    return render_template(
        "organiser/questions_builder.html",
        event=event,
        items=items,
        locales=locales,
        required_locales=event.publish_locales,
        placed=placed,
        summary=summary,
        types=TYPES,
        type_labels=TYPE_LABELS,
        choice_types=CHOICE_TYPES,
        built_in=BUILT_IN,
        candidates=[condition_candidates(items, index) for index in range(len(items))],
        path_id=path_id,
        guard=ActionForm(),
        templates=question_templates.all_templates(),
        template_errors=template_errors,
        template_name=template_name,
    ), (status or (422 if summary or template_errors else 200))
