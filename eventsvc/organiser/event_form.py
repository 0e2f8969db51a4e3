"""The event form and ``EventData``, both ways: what the editor typed, and the stored event."""

from flask import (
    abort,
    current_app,
    flash,
    g,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_babel import force_locale, ngettext
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user, logout_user
from sqlalchemy import select
from wtforms import FieldList

from eventsvc import ratelimits
from eventsvc.extensions import db
from eventsvc.i18n import current_locale, default_required_locales, supported_locales
from eventsvc.lookups import event_or_404
from eventsvc.models import Event, EventStatus, Organiser, Partner, Role
from eventsvc.organiser import account as account_views
from eventsvc.organiser import bp, presenters  # noqa: F401  (template helpers)
from eventsvc.organiser.access import ACCOUNT_ID, admin_required
from eventsvc.organiser.data_forms import cancel_event_form
from eventsvc.organiser.forms import (
    LoginForm,
    NewOrganiserForm,
    RoleForm,
    event_form,
)
from eventsvc.public.forms import RegistrationForm
from eventsvc.services import DomainError, assignments, audit, events, held_mail, organisers
from eventsvc.services import dashboard as overview
from eventsvc.services.events import EventData, ValidationFailed
from eventsvc.services.inputs.base import InputErrors
from eventsvc.services.registrations import expire_holds, seats_left
from eventsvc.unit_of_work import unit_of_work
from eventsvc.urls import external_url, safe_next


def _event_data(form, *, status, slug=None) -> EventData:
    texts = {locale: dict(sub.data) for locale, sub in form.locale_forms()}
    return EventData(
        slug=slug or (form.slug.data or "").strip() or _slug_from_texts(texts),
        timezone=form.timezone.data,
        start=form.start.data,
        end=form.end.data,
        texts=texts,
        floor_language=form.floor_language.data,
        interpretation_languages=list(form.interpretation_languages.data or []),
        online_url=(form.online_url.data or "").strip(),
        capacity=form.capacity.data,
        registration_closes=form.registration_closes.data,
        partners=form.chosen_partners(),
        status=status,
        confirm_address=bool(form.confirm_address.data),
    )


def _slug_from_texts(texts: dict) -> str:
    """The slug made from the title in the default locale, else from any title given."""
    default = current_app.config["DEFAULT_LOCALE"]
    titles = [texts.get(default, {}).get("title")] + [t.get("title") for t in texts.values()]
    return events.slug_from_title(next((title for title in titles if title), ""))


def _initial_data(data: EventData) -> dict:
    values = {
        "slug": data.slug,
        "timezone": data.timezone,
        "start": data.start,
        "end": data.end,
        "floor_language": data.floor_language,
        "interpretation_languages": data.interpretation_languages,
        "online_url": data.online_url,
        "capacity": data.capacity,
        "registration_closes": data.registration_closes,
        "partners": data.partners,
        "confirm_address": data.confirm_address,
    }
    for locale in supported_locales():
        values[locale] = data.texts.get(locale, {})
    return values
