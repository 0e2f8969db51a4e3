"""The follow-up after an event: written once per language and variant (attended / did not
attend), previewed as each registrant will read it, then scheduled through the outbox."""

from flask import current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import FileField
from wtforms import Form
from wtforms.fields import (
    BooleanField,
    DateTimeLocalField,
    FormField,
    StringField,
    SubmitField,
    TextAreaField,
)
from wtforms.validators import Optional

from eventsvc import clock
from eventsvc.lookups import event_or_404
from eventsvc.mail.messages import preview_follow_up
from eventsvc.models import FollowUp, Variant
from eventsvc.organiser import bp
from eventsvc.organiser.access import current_organiser
from eventsvc.services import DomainError, follow_ups
from eventsvc.services.inputs.base import InputErrors
from eventsvc.services.inputs.follow_up import BODY_MAX, SUBJECT_MAX, VARIANTS, FollowUpData
from eventsvc.unit_of_work import unit_of_work

_SLIDES_ENDPOINT = "organiser.follow_up_slides"
_VARIANT_LABELS = {
    Variant.ATTENDED: _l("For those who attended"),
    Variant.ABSENT: _l("For those who did not attend"),
}


@bp.url_value_preprocessor
def _allow_slides_upload(endpoint, values):
    """The slides upload may be larger than any other form (``FOLLOW_UP_SLIDES_MAX_BYTES``):
    raised before the CSRF check reads the body, for that one address."""
    if endpoint == _SLIDES_ENDPOINT:
        request.max_content_length = current_app.config["FOLLOW_UP_SLIDES_MAX_BYTES"] + 64 * 1024


class _TextForm(Form):
    subject = StringField(_l("Subject"), render_kw={"maxlength": SUBJECT_MAX})
    body = TextAreaField(_l("Message"), render_kw={"maxlength": BODY_MAX, "rows": 8})


def _form(locales: list[str], **kwargs) -> FlaskForm:
    class FollowUpForm(FlaskForm):
        recording_url = StringField(_l("Recording address"))
        survey_url = StringField(_l("Survey address"))
        attach_certificate = BooleanField(
            _l("Attach their certificate of attendance to the attendees' message")
        )
        attended_send_at = DateTimeLocalField(
            _l("Send the attendees' message at"),
            format=["%Y-%m-%dT%H:%M", "%Y-%m-%dT%H:%M:%S"],
            validators=[Optional()],
        )
        absent_send_at = DateTimeLocalField(
            _l("Send the other message at"),
            format=["%Y-%m-%dT%H:%M", "%Y-%m-%dT%H:%M:%S"],
            validators=[Optional()],
        )
        save = SubmitField(_l("Save and preview"))
        schedule = SubmitField(_l("Schedule the follow-up"))

        def texts(self) -> dict:
            return {
                locale: {variant: getattr(self, f"{variant}_{locale}").data for variant in VARIANTS}
                for locale in locales
            }

        def text_fields(self):
            return [
                (variant, _VARIANT_LABELS[variant], locale, getattr(self, f"{variant}_{locale}"))
                for variant in VARIANTS
                for locale in locales
            ]

    for locale in locales:
        for variant in VARIANTS:
            setattr(FollowUpForm, f"{variant}_{locale}", FormField(_TextForm, label=locale))
    return FollowUpForm(**kwargs)


def _stored_values(follow_up: FollowUp | None, event, locales: list[str]) -> dict:
    if follow_up is None:
        return {}
    data = {
        "recording_url": follow_up.recording_url,
        "survey_url": follow_up.survey_url,
        "attach_certificate": follow_up.attach_certificate,
    }
    for variant in VARIANTS:
        instant = follow_up.send_at(variant)
        if instant is not None:
            data[f"{variant}_send_at"] = clock.to_wall(instant, event.timezone).replace(tzinfo=None)
        for locale in locales:
            data[f"{variant}_{locale}"] = follow_up.text(locale, variant)
    return data


class SlidesForm(FlaskForm):
    slides = FileField(_l("Slides (PDF)"))
    upload = SubmitField(_l("Upload the slides"))


@bp.route("/events/<slug>/follow-up", methods=["GET", "POST"], endpoint="follow_up")
def follow_up_page(slug):
    event = event_or_404(slug)
    locales = current_app.config["SUPPORTED_LOCALES"]
    stored = follow_ups.follow_up_for(event)
    form = _form(locales, data=_stored_values(stored, event, locales))
    status = 200
    if form.validate_on_submit():
        actor = current_organiser()
        try:
            with unit_of_work():
                data = FollowUpData.parse(
                    form.texts(),
                    recording_url=form.recording_url.data or "",
                    survey_url=form.survey_url.data or "",
                    attach_certificate=form.attach_certificate.data,
                    send_at=_instants(form, event),
                )
                follow_ups.save(event, data, actor)
                if form.schedule.data:
                    scheduled = follow_ups.schedule(event, actor)
            if form.schedule.data:
                flash(
                    _(
                        "The follow-up is scheduled: %(attended)d attendees, %(absent)d others.",
                        attended=scheduled.attended,
                        absent=scheduled.absent,
                    ),
                    "success",
                )
            else:
                flash(_("The follow-up has been saved."), "success")
            return redirect(url_for("organiser.follow_up", slug=event.slug), 303)
        except InputErrors as failure:
            _show_errors(form, failure.errors)
            status = 422
        except DomainError as error:
            flash(str(error.message), "error")
            status = 422
    elif form.errors:
        status = 422
    stored = follow_ups.follow_up_for(event)
    return render_template(
        "organiser/follow_up.html",
        event=event,
        form=form,
        slides_form=SlidesForm(),
        follow_up=stored,
        counts=follow_ups.counts(event),
        previews=_previews(stored, event, locales),
        has_slides=follow_ups.slides_file(stored) is not None,
        slides_limit_mb=round(current_app.config["FOLLOW_UP_SLIDES_MAX_BYTES"] / 1024**2, 1),
    ), status


def _instants(form, event) -> dict:
    """The chosen times (wall times in the event's zone) as instants; a time the clocks skip
    or repeat is reported on its field."""
    instants, errors = {}, {}
    for variant in VARIANTS:
        wall = getattr(form, f"{variant}_send_at").data
        if wall is None:
            continue
        try:
            instants[variant] = clock.to_instant(wall, event.timezone)
        except clock.WallTimeError as error:
            errors[f"{variant}.send_at"] = [error.message]
    if errors:
        raise InputErrors(errors)
    return instants


def _show_errors(form, errors: dict) -> None:
    for key, messages in errors.items():
        parts = key.split(".")
        field = None
        if len(parts) == 3:  # attended.subject.fr
            holder = getattr(form, f"{parts[0]}_{parts[2]}", None)
            field = getattr(holder.form, parts[1], None) if holder is not None else None
        elif len(parts) == 2:  # attended.send_at
            field = getattr(form, f"{parts[0]}_{parts[1]}", None)
        else:
            field = getattr(form, key, None)
        if field is None:
            for message in messages:
                flash(str(message), "error")
        else:
            field.errors = [*field.errors, *messages]


def _previews(follow_up: FollowUp | None, event, locales: list[str]) -> list[dict]:
    """Each language and variant written, as the mail will read (a stand-in name)."""
    if follow_up is None:
        return []
    previews = []
    for variant in VARIANTS:
        for locale in locales:
            if follow_up.text(locale, variant):
                preview = preview_follow_up(follow_up, event, locale, variant)
                previews.append({"variant": _VARIANT_LABELS[variant], "locale": locale, **preview})
    return previews


@bp.post("/events/<slug>/follow-up/slides", endpoint="follow_up_slides")
def follow_up_slides(slug):
    event = event_or_404(slug)
    form = SlidesForm()
    if not form.validate_on_submit():
        flash(_("This page had expired. Please try again."), "error")
        return redirect(url_for("organiser.follow_up", slug=event.slug), 303)
    upload = form.slides.data
    data = upload.read() if upload else b""
    try:
        with unit_of_work():
            follow_ups.store_slides(event, data, current_organiser())
    except InputErrors as failure:
        for messages in failure.errors.values():
            for message in messages:
                flash(str(message), "error")
    else:
        flash(_("The slides have been uploaded."), "success")
    return redirect(url_for("organiser.follow_up", slug=event.slug), 303)
