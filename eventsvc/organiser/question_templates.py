"""The question templates page of the workspace: every saved template with its questions, to
rename or delete, and what was done with templates lately. Who may: whoever may save one
(:func:`eventsvc.services.question_templates.may_manage`); the rules are in that service."""

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _

from eventsvc.i18n import current_locale
from eventsvc.organiser import bp
from eventsvc.organiser.access import current_organiser
from eventsvc.organiser.forms import ActionForm
from eventsvc.services import DomainError, audit, question_templates
from eventsvc.services.inputs.base import InputErrors
from eventsvc.unit_of_work import unit_of_work

TEMPLATE_ID = "<int(max=2147483647):template_id>"


def _require_manager() -> None:
    if not question_templates.may_manage(current_organiser()):
        abort(403)


def _page(renaming: int | None = None, name: str = "", errors=(), status: int = 200):
    return render_template(
        "organiser/question_templates.html",
        templates=question_templates.all_templates(),
        question_labels=lambda template: question_templates.question_labels(
            template, current_locale()
        ),
        history=question_templates.template_history(),
        action_label=lambda action: audit.ACTION_LABELS.get(action, action),
        renaming=renaming,
        typed_name=name,
        rename_errors=errors,
    ), status


@bp.get("/question-templates")
def question_template_list():
    _require_manager()
    return _page()


@bp.post(f"/question-templates/{TEMPLATE_ID}/rename")
def question_template_rename(template_id):
    _require_manager()
    if not ActionForm().validate_on_submit():
        flash(_("The page had expired: please press the button again."), "error")
        return redirect(url_for(".question_template_list"))
    name = request.form.get("template_name", "")
    try:
        with unit_of_work():
            template = question_templates.rename_template(template_id, name, current_organiser())
            renamed = template.name
    except InputErrors as failure:
        messages = [str(m) for ms in failure.errors.values() for m in ms]
        return _page(renaming=template_id, name=name, errors=messages, status=422)
    except DomainError as refusal:
        flash(refusal.message, "error")
    else:
        flash(_("The template is now named “%(name)s”.", name=renamed), "success")
    return redirect(url_for(".question_template_list"))


@bp.post(f"/question-templates/{TEMPLATE_ID}/delete")
def question_template_delete(template_id):
    _require_manager()
    if not ActionForm().validate_on_submit():
        flash(_("The page had expired: please press the button again."), "error")
        return redirect(url_for(".question_template_list"))
    try:
        with unit_of_work():
            name = question_templates.delete_template(template_id, current_organiser())
    except DomainError as refusal:
        flash(refusal.message, "error")
    else:
        flash(
            _(
                "The template “%(name)s” is deleted; the events it was applied to keep their "
                "questions.",
                name=name,
            ),
            "success",
        )
    return redirect(url_for(".question_template_list"))
