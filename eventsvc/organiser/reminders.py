"""The reminders of one event: when registrants are reminded, and a short word per language."""

from flask import current_app, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms.fields import BooleanField, StringField, SubmitField, TextAreaField

from eventsvc.i18n import language_in_text
from eventsvc.lookups import event_or_404
from eventsvc.models import MessageKind
from eventsvc.organiser import bp
from eventsvc.organiser.access import current_organiser
from eventsvc.services import broadcasts
from eventsvc.services.inputs.base import InputErrors
from eventsvc.services.inputs.reminders import TEXT_MAX, ReminderSettings
from eventsvc.unit_of_work import unit_of_work


def reminders_form(locales: list[str], **kwargs) -> FlaskForm:
    class RemindersForm(FlaskForm):
        offsets = StringField(
            _l("Minutes before the start"),
            description=_l(
                "One number per reminder, separated by commas: 1440 is a day before, 60 an "
                "hour before. Leave empty for no reminder."
            ),
        )
        use_defaults = BooleanField(_l("Use the site's usual reminders"))
        save = SubmitField(_l("Save the reminders"))

        def texts(self) -> dict[str, str]:
            return {locale: getattr(self, f"text_{locale}").data or "" for locale in locales}

        def text_fields(self):
            return [getattr(self, f"text_{locale}") for locale in locales]

    for locale in locales:
        field = TextAreaField(
            _l(
                "Added to the reminder in %(language)s (optional)",
                language=language_in_text(locale),
            ),
            render_kw={"maxlength": TEXT_MAX, "rows": 3, "lang": locale},
        )
        setattr(RemindersForm, f"text_{locale}", field)
    return RemindersForm(**kwargs)


@bp.route("/events/<slug>/reminders", methods=["GET", "POST"], endpoint="reminders")
def reminders(slug):
    """Change the event's reminder times and text: the event's few reminder rows move, nothing
    is written per registrant."""
    event = event_or_404(slug)
    locales = current_app.config["SUPPORTED_LOCALES"]
    form = reminders_form(locales)
    if not form.is_submitted():
        form.use_defaults.data = event.reminder_offsets is None
        form.offsets.data = ", ".join(str(m) for m in broadcasts.reminder_offsets(event))
        for locale in locales:
            getattr(form, f"text_{locale}").data = (event.reminder_texts or {}).get(locale, "")
    elif form.validate_on_submit():
        try:
            settings = ReminderSettings.parse(
                form.offsets.data, form.texts(), use_defaults=form.use_defaults.data
            )
            with unit_of_work():
                broadcasts.set_reminders(event, settings, current_organiser())
        except InputErrors as failure:
            for key, messages in failure.errors.items():
                name = "offsets" if key == "offsets" else "text_" + key.partition(".")[2]
                field = getattr(form, name, None)
                if field is not None:
                    field.errors = [*field.errors, *messages]
                else:
                    flash(" ".join(str(m) for m in messages), "error")
        else:
            flash(_("The reminders are saved."), "success")
            return redirect(url_for("organiser.reminders", slug=event.slug), 303)
    return render_template(
        "organiser/reminders.html",
        event=event,
        form=form,
        planned=broadcasts.live(event, (MessageKind.REMINDER,)),
    ), (422 if form.errors else 200)
