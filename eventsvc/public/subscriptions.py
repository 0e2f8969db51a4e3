"""Subscribing to new events: the form, the double opt-in confirmation, the preferences page and
one-click unsubscribe (RFC 8058: a POST without CSRF, authenticated by the link's token)."""

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import EmailField, RadioField, SelectMultipleField, StringField
from wtforms.widgets import CheckboxInput, ListWidget

from eventsvc import ratelimits
from eventsvc.extensions import csrf
from eventsvc.i18n import current_locale, language_name, supported_locales
from eventsvc.models import Frequency
from eventsvc.public import bp
from eventsvc.services import partners as partner_service
from eventsvc.services import subscriptions
from eventsvc.services.inputs.base import InputErrors
from eventsvc.services.inputs.subscription import SubscriptionInput
from eventsvc.unit_of_work import unit_of_work


class _Checkboxes(SelectMultipleField):
    widget = ListWidget(prefix_label=False)
    option_widget = CheckboxInput()


class SubscriptionForm(FlaskForm):
    email = EmailField(_l("Email address"))
    languages = _Checkboxes(_l("Languages you read"), validate_choice=False)
    partners = _Checkboxes(_l("Partner networks (none ticked: every event)"), validate_choice=False)
    frequency = RadioField(
        _l("How often"),
        choices=[
            (Frequency.EACH.value, _l("One message for each new event")),
            (Frequency.WEEKLY.value, _l("One summary a week")),
        ],
        default=Frequency.EACH.value,
        validate_choice=False,
    )
    website = StringField(_l("Leave this field empty"))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.languages.choices = [(code, language_name(code)) for code in supported_locales()]
        self.partners.choices = [(str(p.id), p.acronym) for p in partner_service.list_partners()]
        if not self.is_submitted() and not self.languages.data:
            self.languages.data = [current_locale()]

    def is_spam(self) -> bool:
        return bool((self.website.data or "").strip())

    def parsed(self, *, with_email: bool = True) -> SubscriptionInput | None:
        if not self.validate():
            return None
        try:
            return SubscriptionInput.parse(request.form, with_email=with_email)
        except InputErrors as failed:
            for key, messages in failed.errors.items():
                self[key].errors = list(messages)
            return None


def _refused(limit):
    form = SubscriptionForm()
    form.form_errors.append(gettext("Too many requests from your network. Try again later."))
    return render_template("public/subscribe.html", form=form), 429


@bp.route("/subscribe", methods=["GET", "POST"])
@ratelimits.registration(on_breach=_refused)
def subscribe():
    form = SubscriptionForm()
    if request.method == "POST":
        if form.is_spam():
            return redirect(url_for("public.subscribe_sent"), 303)
        data = form.parsed()
        if data is not None:
            with unit_of_work():
                subscriptions.subscribe(data)
            return redirect(url_for("public.subscribe_sent"), 303)
        return render_template("public/subscribe.html", form=form), 400
    return render_template("public/subscribe.html", form=form)


@bp.get("/subscribe/sent")
def subscribe_sent():
    return render_template(
        "public/subscription_notice.html",
        heading=gettext("Check your email"),
        text=gettext(
            "We have sent a message to the address you gave. Follow its link to confirm: "
            "until then you will receive nothing."
        ),
    )


def _subscription_or_404(token: str):
    subscription = subscriptions.subscription_for_token(token, subscriptions.PREFERENCES)
    if subscription is None:
        abort(404)
    return subscription


@bp.route("/subscriptions/<token>", methods=["GET", "POST"])
def subscription(token):
    current = _subscription_or_404(token)
    form = SubscriptionForm(
        data={
            "languages": current.languages,
            "partners": [str(i) for i in current.partner_ids],
            "frequency": current.frequency.value,
        }
    )
    if request.method == "POST":
        data = form.parsed(with_email=False)
        if data is None:
            return render_template(
                "public/subscribe.html", form=form, subscription=current, token=token
            ), 400
        with unit_of_work():
            subscriptions.update_preferences(current, data)
        flash(gettext("Your choices are saved."))
        return redirect(url_for("public.subscription", token=token), 303)
    return render_template("public/subscribe.html", form=form, subscription=current, token=token)


@bp.route("/subscriptions/<token>/confirm", methods=["GET", "POST"])
def subscription_confirm(token):
    """A GET only shows the button (mail scanners open links); the POST confirms."""
    current = _subscription_or_404(token)
    if request.method == "POST":
        with unit_of_work():
            subscriptions.confirm(current)
        flash(gettext("Confirmed: we will tell you of new events."))
        return redirect(url_for("public.subscription", token=token), 303)
    return render_template(
        "public/subscription_notice.html",
        heading=gettext("Confirm your subscription"),
        text=gettext("Press the button to receive news of new events at this address."),
        button=gettext("Confirm: tell me of new events"),
        action=url_for("public.subscription_confirm", token=token),
        with_csrf=True,
    )


@bp.route("/subscriptions/<token>/unsubscribe", methods=["GET", "POST"])
@csrf.exempt  # RFC 8058 one-click: the mail client POSTs with the link's token only
def subscription_unsubscribe(token):
    current = subscriptions.subscription_for_token(token, subscriptions.PREFERENCES)
    if request.method == "POST":
        if current is not None:
            with unit_of_work():
                subscriptions.unsubscribe(current)
        # Unknown or already gone: the same answer (unsubscribing twice is not an error).
        return render_template(
            "public/subscription_notice.html",
            heading=gettext("You are unsubscribed"),
            text=gettext("This address is deleted from our list: you will receive nothing more."),
        )
    if current is None:
        abort(404)
    return render_template(
        "public/subscription_notice.html",
        heading=gettext("Unsubscribe"),
        text=gettext("Stop all news of new events at this address, and delete it from our list."),
        button=gettext("Unsubscribe"),
        action=url_for("public.subscription_unsubscribe", token=token),
    )
