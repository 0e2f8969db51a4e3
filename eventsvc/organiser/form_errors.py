"""A service's field errors shown beside the form's fields, and the summary linking to them."""

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


def show_service_errors(form, errors: dict[str, list]) -> list:
    """Put the service's field errors beside their fields; return those without a field."""
    unplaced = []
    for key, messages in errors.items():
        name, _sep, locale = key.partition(".")
        field = form[locale][name] if locale and locale in form else getattr(form, name, None)
        if field is None or isinstance(field, FieldList):
            unplaced.extend(messages)
            continue
        if not isinstance(field.errors, list):
            field.errors = list(field.errors)
        field.errors.extend(messages)
    return unplaced


def _form_field(form, key: str):
    name, _sep, locale = key.partition(".")
    if locale and locale in form:
        return form[locale][name]
    return getattr(form, name, None)


def error_links(form) -> list[tuple[str, str, str]]:
    """(field id, label, message) for every error on the form, in the order of the page, for a
    summary whose entries lead to their fields."""
    links = []
    for field in form:
        for sub in _leaves(field):
            for message in sub.errors if isinstance(sub.errors, list) else []:
                links.append((sub.id, sub.label.text, str(message)))
    return links


def _leaves(field):
    if hasattr(field, "entries"):
        for entry in field.entries:
            yield from _leaves(entry)
    elif hasattr(field, "form") and hasattr(field.form, "_fields") and field.type == "FormField":
        for sub in field.form:
            yield from _leaves(sub)
    else:
        yield field
