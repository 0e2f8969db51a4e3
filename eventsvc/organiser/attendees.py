"""The attendee list of an event: search, filters, and promote / cancel / erase one person."""

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import ngettext

from eventsvc.extensions import db
from eventsvc.i18n import current_locale, list_in_text
from eventsvc.lookups import event_or_404
from eventsvc.mail import transport
from eventsvc.models import Event, Registration
from eventsvc.organiser import bp
from eventsvc.organiser.access import current_organiser
from eventsvc.organiser.data_forms import (
    STATUS_LABELS,
    CancelRegistrationForm,
    ConfirmForm,
    PromoteForm,
    RegistrationFilterForm,
)
from eventsvc.services import DomainError, assignments, privacy, stats
from eventsvc.services import questions as event_questions
from eventsvc.services import registrations as registration_service
from eventsvc.services.attendee_search import (
    answer_filter_options,
    countries_present,
    registration_of_event,
    registrations_query,
)
from eventsvc.unit_of_work import unit_of_work
from eventsvc.urls import safe_next

PER_PAGE = 50
#: Past any event's registrations; keeps the query's OFFSET within the database's integers (a
#: ``?page=`` of thirty digits failed there).
MAX_PAGE = 100_000


def registration_or_404(event: Event, registration_id: int) -> Registration:
    registration = registration_of_event(event.id, registration_id)
    if registration is None:
        abort(404)
    return registration


def list_url(event: Event, target: str | None) -> str:
    """Where "back" goes from an action on a registration: ``target`` (the list the organiser
    came from, with its filters and page) when it is this event's list on this site, else the
    list. The page's "go back" link and the redirect after the action both come from here."""
    prefix = url_for("organiser.registrations", slug=event.slug)
    target = safe_next(target) or ""
    return target if target.startswith(prefix) else prefix


def _registrations_page(event_id: int, filters):
    """The page ``?page=`` asks for (1 when missing or not a number), or the last one when it
    asks past the end: an old link after cancellations still shows people, not an empty list
    counted from a row that does not exist."""
    query = registrations_query(event_id, filters)
    number = min(max(request.args.get("page", 1, type=int), 1), MAX_PAGE)
    page = _paginate(query, number)
    if not page.items and page.page > page.pages > 0:
        page = _paginate(query, page.pages)
    return page


def _paginate(query, number: int):
    return db.paginate(
        query, page=number, per_page=PER_PAGE, max_per_page=PER_PAGE, error_out=False
    )


def _back_to_list(event: Event):
    """Return to the list the organiser came from, with its filters and page."""
    target = list_url(event, request.form.get("next"))
    return redirect(target, 303 if request.method == "POST" else 302)


@bp.get("/events/<slug>/registrations")
def registrations(slug):
    event = event_or_404(slug)
    if event.confirm_address:
        with unit_of_work():
            registration_service.expire_holds(event)
    form = RegistrationFilterForm(formdata=request.args)
    form.set_choices(
        event, countries_present(event.id), answer_filter_options(event, current_locale())
    )
    form.validate()
    filters = form.filters()
    page = _registrations_page(event.id, filters)
    return render_template(
        "organiser/registrations.html",
        event=event,
        form=form,
        page=page,
        filter_args=filters.as_args(),
        status_counts=stats.status_counts(event.id),
        awaiting_address=stats.awaiting_address_count(event.id) if event.confirm_address else 0,
        status_labels=STATUS_LABELS,
        newsletter_counts=registration_service.newsletter_counts(event),
        queue=registration_service.queue_positions(event),
        has_sensitive=any(q.sensitive for q in event_questions.questions_of(event)),
        answers=event_questions.answers_by_registration(
            event,
            [registration.id for registration in page.items],
            current_locale(),
            include_sensitive=assignments.may_access(current_organiser(), event.id),
        ),
    )


@bp.get("/events/<slug>/questions")
def questions(slug):
    """The questions for the speakers, one per person, for the moderator (printable)."""
    event = event_or_404(slug)
    return render_template(
        "organiser/questions.html",
        event=event,
        questions=registration_service.questions_for_speakers(event),
    )


@bp.route("/events/<slug>/registrations/<int:registration_id>/promote", methods=["GET", "POST"])
def promote_registration(slug, registration_id):
    """Promote in queue order; skipping the queue or overbooking only once confirmed here."""
    event = event_or_404(slug)
    registration = registration_or_404(event, registration_id)
    try:
        plan = registration_service.promotion_plan(registration)
    except DomainError as error:
        flash(str(error.message), "error")
        return _back_to_list(event)
    form = PromoteForm()
    if form.validate_on_submit():
        try:
            with unit_of_work():
                registration_service.promote(
                    registration,
                    actor=current_organiser(),
                    out_of_turn=form.out_of_turn.data,
                    overbook=form.overbook.data,
                )
        except registration_service.PromotionNeedsConfirmation:
            db.session.refresh(registration)
            plan = registration_service.promotion_plan(registration)
        except DomainError as error:
            flash(str(error.message), "error")
            return _back_to_list(event)
        else:
            flash(
                _(
                    "%(name)s now has a confirmed place and will be told by email.",
                    name=registration.full_name,
                ),
                "success",
            )
            return _back_to_list(event)
    elif request.method == "POST":
        flash(_("This page had expired. Please try again."), "error")
    return render_template(
        "organiser/promote.html",
        event=event,
        plan=plan,
        form=form,
        back_url=list_url(event, request.values.get("next")),
    )


@bp.route("/events/<slug>/registrations/<int:registration_id>/cancel", methods=["GET", "POST"])
def cancel_registration(slug, registration_id):
    def cancel(registration, form):
        message = form.message.data or ""
        with unit_of_work():
            promoted = registration_service.cancel(
                registration,
                actor=current_organiser(),
                message={registration.language: message},
            )
        flash(
            _("The registration of %(name)s is cancelled.", name=registration.full_name), "success"
        )
        if promoted:
            names = list_in_text(person.full_name for person in promoted)
            flash(
                ngettext(
                    "%(names)s moves up from the waitlist to a confirmed place.",
                    "%(names)s move up from the waitlist to confirmed places.",
                    len(promoted),
                    names=names,
                ),
                "success",
            )

    return _confirmed_action(slug, registration_id, "cancel", cancel, CancelRegistrationForm)


@bp.route("/events/<slug>/registrations/<int:registration_id>/erase", methods=["GET", "POST"])
def erase_registration(slug, registration_id):
    def erase(registration, form):
        with unit_of_work():
            erased = privacy.erase_registration(registration, actor=current_organiser())
        transport.remove_copies(erased)
        flash(
            _("The personal data of registration %(id)s has been erased.", id=registration.id),
            "success",
        )

    return _confirmed_action(slug, registration_id, "erase", erase)


def _confirmed_action(slug, registration_id, action: str, perform, form_class=ConfirmForm):
    """Ask first (GET), then ``perform(registration, form)`` on a confirmed POST and go back."""
    event = event_or_404(slug)
    registration = registration_or_404(event, registration_id)
    form = form_class()
    if form.validate_on_submit():
        perform(registration, form)
        return _back_to_list(event)
    return render_template(
        "organiser/registration_action.html",
        event=event,
        registration=registration,
        form=form,
        action=action,
        back_url=list_url(event, request.args.get("next")),
    )
