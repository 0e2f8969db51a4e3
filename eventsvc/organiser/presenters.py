"""Helpers that the workspace templates call: labels for field keys, audit actions and mail
kinds, readable audit details, and links to pages that may not exist yet."""

from datetime import datetime

from flask import current_app, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from eventsvc import clock
from eventsvc.extensions import db
from eventsvc.i18n import current_locale, format_event_span, language_name
from eventsvc.models import MessageKind, Registration
from eventsvc.organiser import bp
from eventsvc.organiser.forms import role_choices
from eventsvc.services import audit, organisers
from eventsvc.urls import external_url


@bp.context_processor
def workspace_helpers():
    return {
        "organiser_url": organiser_url,
        "field_label": field_label,
        "action_label": action_label,
        "role_label": lambda role: dict(role_choices()).get(role, role),
        "audit_details": audit_details,
        "audit_actor": audit_actor,
        "public_event_url": public_event_url,
        "organiser_zone": organiser_zone,
        "in_organiser_zone": in_organiser_zone,
        "kind_label": lambda kind: MESSAGE_KIND_LABELS.get(kind, kind),
    }


def action_label(action: str) -> str:
    labels = audit.ACTION_LABELS | organisers.ACCOUNT_ACTION_LABELS
    return str(labels.get(action, action))


MESSAGE_KIND_LABELS = {
    MessageKind.CONFIRMATION: _l("Confirmation"),
    MessageKind.WAITLISTED: _l("Waitlist notice"),
    MessageKind.PROMOTED: _l("Place from the waitlist"),
    MessageKind.REMINDER: _l("Reminder"),
    MessageKind.EVENT_UPDATED: _l("Event changed"),
    MessageKind.EVENT_CANCELLED: _l("Event cancelled"),
    MessageKind.REGISTRATION_CANCELLED: _l("Registration cancelled"),
    MessageKind.ANNOUNCEMENT: _l("Announcement"),
    MessageKind.INVITATION: _l("Organiser invitation"),
    MessageKind.PASSWORD_RESET: _l("New-password link"),
    MessageKind.SIGN_IN_FAILURES: _l("Failed sign-ins notice"),
    MessageKind.NEWSLETTER_CONFIRM: _l("Newsletter confirmation"),
    MessageKind.ADDRESS_CONFIRM: _l("Address confirmation"),
    MessageKind.SUBSCRIPTION_CONFIRM: _l("Subscription confirmation"),
    MessageKind.NEW_EVENT_NOTICE: _l("New event notice"),
    MessageKind.DIGEST: _l("Weekly summary of new events"),
    MessageKind.FOLLOW_UP: _l("Follow-up"),
}


def public_event_url(event) -> str:
    """The address registrants use, in the organiser's language, from ``PUBLIC_BASE_URL``."""
    return external_url("public.event", lang=current_locale(), slug=event.slug)


def organiser_zone() -> str:
    """The zone organisers read the workspace's own times in (the audit log, registration
    times): the organisation's ``DEFAULT_TIMEZONE``."""
    return current_app.config["DEFAULT_TIMEZONE"]


def in_organiser_zone(instant: datetime) -> str:
    """``instant`` as ``2026-12-06 14:30`` in :func:`organiser_zone`."""
    return clock.to_wall(instant, organiser_zone()).strftime("%Y-%m-%d %H:%M")


def audit_actor(entry) -> str:
    """Who did it, in plain words."""
    if entry.organiser is not None:
        return entry.organiser.name or entry.organiser.email
    if entry.action in audit.AUTOMATIC:
        return _("Automatic")
    return _("System (command line or import)")


def _registration_lines(details: dict) -> list[str]:
    """The person an entry is about, and what it did to their place, in plain words."""
    lines = []
    if "registration_id" not in details:
        return lines
    registration_id = details.pop("registration_id")
    if registration_id is not None:
        registration = db.session.get(Registration, registration_id)
        if registration is None or registration.anonymised_at is not None:
            lines.append(_("Registration %(id)s (personal data erased)", id=registration_id))
        else:
            lines.append(f"{registration.full_name} <{registration.email}>")
    was = details.pop("was", None)
    if was == "confirmed":
        lines.append(_("They had a confirmed place."))
    elif was == "waitlisted":
        lines.append(_("They were on the waitlist."))
    if details.pop("with_message", False):
        lines.append(_("A message from the organisers went with the notice."))
    position = details.pop("position", None)
    if position is not None:
        lines.append(_("Number %(position)d on the waitlist.", position=position))
    confirmed, capacity = details.pop("confirmed", None), details.pop("capacity", None)
    if confirmed is not None:
        if capacity is None:
            lines.append(_("Now %(count)d confirmed.", count=confirmed))
        else:
            lines.append(
                _(
                    "Now %(count)d confirmed for %(capacity)d places.",
                    count=confirmed,
                    capacity=capacity,
                )
            )
    return lines


def audit_details(details: dict, zone_name: str) -> list[str]:
    """An audit entry's details as short readable lines."""
    details = dict(details or {})
    lines = _registration_lines(details)
    fields = details.pop("fields", None)
    if fields:
        lines.append(_("Fields: %(fields)s", fields=", ".join(field_label(k) for k in fields)))
    old_start, old_end = details.pop("old_start", None), details.pop("old_end", None)
    new_start, new_end = details.pop("new_start", None), details.pop("new_end", None)
    if old_start and new_start:
        lines.append(
            _(
                "Time: %(old)s → %(new)s",
                old=_span(old_start, old_end, zone_name),
                new=_span(new_start, new_end, zone_name),
            )
        )
    lines.extend(
        _("%(label)s: %(value)s", label=field_label(key), value=value)
        for key, value in details.items()
    )
    return lines


def _span(start: str, end: str | None, zone_name: str) -> str:
    start_at = datetime.fromisoformat(start)
    end_at = datetime.fromisoformat(end) if end else start_at
    return format_event_span(start_at, end_at, zone_name)


def organiser_url(endpoint: str, **values) -> str | None:
    """The URL of ``endpoint``, or ``None`` while that page does not exist (yet)."""
    if endpoint not in current_app.view_functions:
        return None
    return url_for(endpoint, **values)


_FIELD_LABELS = {
    "slug": _l("Web address"),
    "timezone": _l("Time zone"),
    "start": _l("Start"),
    "end": _l("End"),
    "floor_language": _l("Floor language"),
    "interpretation_languages": _l("Interpretation languages"),
    "online_url": _l("Join link"),
    "capacity": _l("Capacity"),
    "registration_closes": _l("Registration deadline"),
    "confirm_address": _l("Address confirmation"),
    "partners": _l("Partners"),
    "status": _l("Status"),
    "title": _l("Title"),
    "summary": _l("Summary"),
    "description": _l("Description"),
    "messages": _l("Messages"),
    "source": _l("Copy of"),
    "questions": _l("Questions"),
    "keys": _l("Keys"),
    "embed_origins": _l("Sites allowed to embed"),
}


def field_label(key: str) -> str:
    """“Title (French)” for ``title.fr``; the label of any other field key of the service."""
    name, _sep, locale = key.partition(".")
    label = str(_FIELD_LABELS.get(name, name))
    return f"{label} ({language_name(locale)})" if locale else label
