"""Writing an announcement in every language and sending it to an event's registrants."""

from flask import abort, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import ngettext
from sqlalchemy import select

from eventsvc.extensions import db
from eventsvc.i18n import format_event_span, language_in_text, list_in_text
from eventsvc.lookups import event_or_404
from eventsvc.mail import direct
from eventsvc.markdown import render_message_markdown
from eventsvc.models import Announcement
from eventsvc.organiser import bp
from eventsvc.organiser.access import current_organiser
from eventsvc.organiser.data_forms import ConfirmForm, announcement_form
from eventsvc.services import DomainError, announcements
from eventsvc.services.announcements import reach
from eventsvc.services.inputs.announcement import AnnouncementData, send_at_instant
from eventsvc.services.inputs.base import Errors, InputErrors
from eventsvc.unit_of_work import unit_of_work


@bp.route("/events/<slug>/announce", methods=["GET", "POST"], endpoint="announce")
def announce(slug):
    """Write, preview, test, then send (now or later) after a last confirmation naming the
    count; nothing is sent by a single click."""
    event = event_or_404(slug)
    form = announcement_form(current_app.config["SUPPORTED_LOCALES"])
    include_waitlisted = bool(form.include_waitlisted.data)
    # A few index look-ups, whatever the audience (confirmed seats are a stored count).
    confirmed, with_waitlist = reach(event, False), reach(event, True)
    reached = with_waitlist if include_waitlisted else confirmed
    count = reached.count
    confirming = False
    send_at = None
    if form.validate_on_submit():
        actor = current_organiser()
        try:
            send_at = _instant(form.send_at.data, event)
            if form.test.data:
                sent = direct.send_announcement_test(event, form.texts(), actor)
                flash(
                    _(
                        "A test went to %(email)s in %(languages)s.",
                        email=actor.email,
                        languages=list_in_text(language_in_text(code) for code in sent),
                    ),
                    "success",
                )
            elif form.confirm_send.data:
                with unit_of_work():
                    sent = announcements.send_announcement(
                        event, form.texts(), include_waitlisted, actor, send_at=send_at
                    )
                _flash_sent(sent, event)
                return redirect(url_for("organiser.announce", slug=event.slug), 303)
            elif form.send.data:
                confirming = _ready_to_send(form, include_waitlisted, reached, send_at)
        except InputErrors as failure:
            for message in form.show_errors(failure.errors):
                flash(str(message), "error")
        except DomainError as error:
            flash(str(error.message), "error")
    return render_template(
        "organiser/announce.html",
        event=event,
        form=form,
        count=count,
        confirmed_count=confirmed.count,
        with_waitlist_count=with_waitlist.count,
        languages_needed=sorted(reached.languages),
        past=past_announcements(event.id),
        previews=_previews(form.texts()) if request.method == "POST" else [],
        confirming=confirming,
        send_at=send_at,
    ), (422 if form.errors else 200)


def _instant(wall, event):
    """The organiser's "send at" (a wall time in the event's zone) as an instant."""
    errors = Errors()
    instant = send_at_instant(wall, event.timezone, errors)
    errors.raise_if_any()
    return instant


def _ready_to_send(form, include_waitlisted: bool, reached, send_at) -> bool:
    """Check what :func:`send_announcement` would refuse, before asking for the confirmation."""
    AnnouncementData.parse(form.texts(), include_waitlisted, send_at)
    if not reached.count:
        raise DomainError(_("Nobody would receive this announcement."))
    missing = set(reached.languages) - set(announcements.clean_texts(form.texts()))
    if missing:
        names = list_in_text(language_in_text(code) for code in sorted(missing))
        raise DomainError(
            _(
                "Write the subject and the message in every language your registrants read "
                "(missing: %(languages)s).",
                languages=names,
            )
        )
    return True


def _flash_sent(sent, event) -> None:
    if sent.announcement.send_at:
        flash(
            ngettext(
                "Your announcement will go to %(num)d person on %(when)s.",
                "Your announcement will go to %(num)d people on %(when)s.",
                sent.recipients,
                when=format_event_span(
                    sent.announcement.send_at, sent.announcement.send_at, event.timezone
                ),
            ),
            "success",
        )
        return
    flash(
        ngettext(
            "Your announcement is on its way to %(num)d person.",
            "Your announcement is on its way to %(num)d people.",
            sent.recipients,
        ),
        "success",
    )


def _previews(texts: dict) -> list[tuple[str, str, object]]:
    """(locale, subject, rendered body) for each language written, as the mail will show it."""
    return [
        (locale, text["subject"], render_message_markdown(text["body"]))
        for locale, text in announcements.clean_texts(texts).items()
    ]


@bp.post("/events/<slug>/announcements/<int:announcement_id>/withdraw")
def withdraw_announcement(slug, announcement_id):
    event = event_or_404(slug)
    announcement = db.session.get(Announcement, announcement_id)
    if announcement is None or announcement.event_id != event.id:
        abort(404)
    if not ConfirmForm().validate_on_submit():
        flash(_("This page had expired. Please try again."), "error")
    else:
        try:
            with unit_of_work():
                announcements.cancel_scheduled(announcement, current_organiser())
        except DomainError as error:
            flash(str(error.message), "error")
        else:
            flash(_("The scheduled announcement has been withdrawn."), "success")
    return redirect(url_for("organiser.announce", slug=event.slug), 303)


def past_announcements(event_id: int) -> list[Announcement]:
    return list(
        db.session.scalars(
            select(Announcement)
            .where(Announcement.event_id == event_id)
            .order_by(Announcement.created_at.desc(), Announcement.id.desc())
        )
    )
