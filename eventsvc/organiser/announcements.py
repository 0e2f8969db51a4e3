"""Writing an announcement in every language and sending it to an event's registrants."""

from flask import current_app, flash, redirect, render_template, url_for
from flask_babel import ngettext
from flask_login import current_user
from sqlalchemy import select

from eventsvc.extensions import db
from eventsvc.models import Announcement
from eventsvc.organiser import bp
from eventsvc.organiser.attendees import event_or_404
from eventsvc.organiser.data_forms import announcement_form
from eventsvc.services import DomainError
from eventsvc.services.announcements import (
    recipient_count,
    recipient_languages,
    send_announcement,
)


@bp.route("/events/<slug>/announce", methods=["GET", "POST"], endpoint="announce")
def announce(slug):
    event = event_or_404(slug)
    form = announcement_form(current_app.config["SUPPORTED_LOCALES"])
    include_waitlisted = bool(form.include_waitlisted.data)
    if form.validate_on_submit() and form.send.data:
        try:
            sent = send_announcement(
                event,
                form.texts(),
                include_waitlisted=include_waitlisted,
                actor=current_user._get_current_object(),
            )
        except DomainError as error:
            flash(str(error.message), "error")
        else:
            flash(
                ngettext(
                    "Your announcement is on its way to %(num)d person.",
                    "Your announcement is on its way to %(num)d people.",
                    sent.recipients,
                ),
                "success",
            )
            return redirect(url_for("organiser.announce", slug=event.slug), 303)
    return render_template(
        "organiser/announce.html",
        event=event,
        form=form,
        count=recipient_count(event, include_waitlisted),
        confirmed_count=recipient_count(event, False),
        with_waitlist_count=recipient_count(event, True),
        languages_needed=sorted(recipient_languages(event, include_waitlisted)),
        past=past_announcements(event.id),
    )


def past_announcements(event_id: int) -> list[Announcement]:
    return list(
        db.session.scalars(
            select(Announcement)
            .where(Announcement.event_id == event_id)
            .order_by(Announcement.created_at.desc(), Announcement.id.desc())
        )
    )
