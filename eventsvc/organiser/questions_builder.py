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

from eventsvc.i18n import supported_locales
from eventsvc.lookups import event_or_404
from eventsvc.models import Event, EventStatus
from eventsvc.organiser import bp
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
from eventsvc.services import DomainError, questions
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
    before = {item["key"] for item in questions.as_items(event)}
    try:
        with unit_of_work():
            questions.set_questions(event, items)
    except InputErrors as failure:
        return _render(event, items, failure.errors, status=422)
    except DomainError as refusal:
        flash(refusal.message, "error")
        return _render(event, items, status=422)
    kept = before - {item["key"] for item in items}
    kept &= {item["key"] for item in questions.as_items(event)}
    if kept:
        flash(
            _(
                "Questions that have answers are retired instead of deleted: %(keys)s.",
                keys=", ".join(sorted(kept)),
            ),
            "info",
        )
    flash(_("The registration form has been saved."), "success")
    return redirect(url_for(".form_builder", slug=event.slug))


def _render(event: Event, items: list[dict], errors=None, status: int | None = None):
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
    ), (status or (422 if summary else 200))
