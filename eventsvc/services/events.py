"""Events: create, change, publish and cancel, and tell registrants what changed.

What an event may be is checked in :mod:`eventsvc.services.inputs.event` (``EventData``,
``validate``, ``ValidationFailed``, re-exported here); what a change changes and whom it tells
(``ChangeSummary``) is decided in :mod:`eventsvc.services.event_changes`; this module writes.
A change of time, join link or title raises the event's sequence and queues an updated invite
for every confirmed registrant; a cancellation queues a cancellation for everyone registered.
Every write leaves an audit entry; the caller's unit of work commits it.
"""

from contextlib import contextmanager
from copy import deepcopy
from dataclasses import replace

from flask_babel import lazy_gettext as _l
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from eventsvc.extensions import db
from eventsvc.models import (
    Event,
    EventPartner,
    EventStatus,
    MessageKind,
    Organiser,
    Partner,
    RegistrationStatus,
)
from eventsvc.services import (
    DomainError,
    assignments,
    audit,
    broadcasts,
    outbox,
    page_version,
    questions,
    subscriptions,
    webhooks,
)
from eventsvc.services.event_changes import (
    DETAILS,
    LINK,
    POSTPONED,
    REOPENED,
    TIME,
    TITLE,
    ChangeSummary,
    active_registrants,
    audience_statuses,
    summarise,
)
from eventsvc.services.inputs.event import (  # noqa: F401 (re-exported for the callers)
    RESERVED_SLUGS,
    SLUG_MAX,
    SLUG_PATTERN,
    EventData,
    ValidationFailed,
    _check_publishable,
    _resolve,
    _Resolved,
    known_languages,
    slug_from_title,
    slug_problem,
    validate,
)
from eventsvc.services.inputs.web import complete_url  # noqa: F401 (re-exported)
from eventsvc.services.locking import lock_event
from eventsvc.services.registrations import _fill_free_seats

#: Messages that make no sense once the event is cancelled (broadcasts: reminders and updates;
#: personal rows: the rest).
_OBSOLETE_ON_CANCEL = (
    MessageKind.REMINDER,
    MessageKind.CONFIRMATION,
    MessageKind.WAITLISTED,
    MessageKind.PROMOTED,
    MessageKind.EVENT_UPDATED,
)


@contextmanager
def _slug_must_be_free(slug: str):
    """Flush what the block wrote; a slug taken meanwhile by a concurrent writer (the unique
    index) is reported like any other slug clash (the unit of work then rolls back)."""
    try:
        yield
        db.session.flush()
    except IntegrityError as exc:
        raise ValidationFailed(
            {"slug": [_l("Another event already uses the slug “%(slug)s”.", slug=slug)]}
        ) from exc


def create_event(
    data: EventData, actor: Organiser | None = None, known_partners=frozenset(), **audit_details
) -> Event:
    """Create an event from ``data``; raises :class:`ValidationFailed`.

    ``known_partners`` are acronyms the caller creates in the same transaction (the importer).
    """
    new = _resolve(data, None, known_partners)
    event = Event(slug=data.slug, sequence=0)
    _apply(event, new)
    db.session.add(event)
    with _slug_must_be_free(data.slug):
        db.session.flush()
    assignments.assign_creator(event, actor)
    audit.record(audit.CREATED, event, actor, status=str(new.status), **audit_details)
    if new.status == EventStatus.PUBLISHED:
        audit.record(audit.PUBLISHED, event, actor, **audit_details)
        subscriptions.queue_new_event_notices(event)
        broadcasts.sync_reminders(event)
    return event


#: Columns a copy does not take from its source: its identity, its state, what belongs to the
#: session that took place (its recording) and the counters its own registrations set.
_NOT_COPIED = frozenset(
    {
        "id",
        "slug",
        "calendar_uid",
        "status",
        "sequence",
        "confirmed_seats",
        "content_version",
        "recording_url",
        "created_at",
        "updated_at",
    }
)


def copy_slug(slug: str) -> str:
    """The first free slug of the form ``<slug>-copy``, ``<slug>-copy-2``… (cut to fit)."""
    number = 1
    while True:
        suffix = "-copy" if number == 1 else f"-copy-{number}"
        candidate = slug[: SLUG_MAX - len(suffix)].rstrip("-") + suffix
        if slug_problem(candidate) is None:
            return candidate
        number += 1


def duplicate_event(source: Event, actor: Organiser | None = None) -> Event:
    """A draft copy of ``source`` under a new slug: its texts in every language, partners,
    settings (capacity, languages, join settings, reminders, attendance rule…) and questions;
    no registrations, no mail, and a history that starts with "created as a copy of"."""
    event = Event(slug=copy_slug(source.slug), status=EventStatus.DRAFT, sequence=0)
    for column in Event.__table__.columns:
        if column.key not in _NOT_COPIED:
            value = getattr(source, column.key)
            setattr(event, column.key, deepcopy(value))
    for content in source.contents:
        event.set_content(
            content.locale,
            title=content.title,
            summary=content.summary,
            description=content.description,
        )
    for link in source.partner_links:
        event.partner_links.append(EventPartner(partner=link.partner, position=link.position))
    db.session.add(event)
    with _slug_must_be_free(event.slug):
        db.session.flush()
    questions.copy_questions(source, event)
    assignments.assign_creator(event, actor)
    audit.record(audit.COPIED, event, actor, source=source.slug)
    db.session.flush()
    return event


def preview_changes(event: Event, data: EventData, notify: bool | None = None) -> ChangeSummary:
    """What :func:`update_event` would change and how many registrants it would tell.

    Writes nothing; raises :class:`ValidationFailed` when ``data`` has errors.
    """
    data = _new_date_ends_postponement(event, data)
    return summarise(event, _resolve(data, event), notify)


def update_event(
    event: Event,
    data: EventData,
    actor: Organiser | None = None,
    known_partners=frozenset(),
    notify: bool | None = None,
    **audit_details,
) -> ChangeSummary:
    """Change ``event`` to ``data`` and tell its registrants.

    Time, join link or title changed: the sequence goes up, every confirmed registrant gets an
    updated invite and reminders move with the time. More seats: people move up from the
    waitlist. Status ``cancelled``: as :func:`cancel_event`. ``known_partners`` as for
    :func:`create_event`.
    """
    event = lock_event(event.id)
    data = _new_date_ends_postponement(event, data)
    new = _resolve(data, event, known_partners)
    title_before = {c.locale: c.title for c in event.contents}
    was_draft = event.status == EventStatus.DRAFT
    summary = summarise(event, new, notify)
    if not summary.changed:
        return summary
    with _slug_must_be_free(data.slug):
        _apply(event, new)
        page_version.event_changed(event)
    status_has_own_entry = summary.published or summary.cancelled
    updated = [k for k in summary.fields if not (k == "status" and status_has_own_entry)]
    if updated:
        audit.record(
            audit.UPDATED, event, actor, fields=updated, **_time_details(summary), **audit_details
        )
    if summary.cancelled:
        _cancel(event, actor, **audit_details)
        return summary
    webhooks.event_updated(event, list(summary.fields))
    if summary.notify_count:
        _tell_changes(event, summary, _titles_changed(event, title_before))
    elif summary.changes:
        event.sequence += 1
    broadcasts.sync_reminders(event)
    if summary.published:
        audit.record(audit.PUBLISHED, event, actor, **audit_details)
        if was_draft:  # new to the public (not a postponed event given its new date)
            subscriptions.queue_new_event_notices(event)
    if "capacity" in summary.fields:
        _fill_free_seats(event)
    return summary


def _time_details(summary: ChangeSummary) -> dict:
    if TIME not in summary.changes:
        return {}
    return {
        "old_start": summary.old_start.isoformat(),
        "old_end": summary.old_end.isoformat(),
        "new_start": summary.new_start.isoformat(),
        "new_end": summary.new_end.isoformat(),
    }


def publish_event(event: Event, actor: Organiser | None = None) -> Event:
    """Publish a draft. Needs every locale's title and summary."""
    event = lock_event(event.id)
    if event.status == EventStatus.CANCELLED:
        raise DomainError(_l("This event has been cancelled: re-open it to publish it again."))
    if event.status == EventStatus.PUBLISHED:
        return event
    errors: dict[str, list] = {}
    texts = EventData.from_event(event).texts
    _check_publishable(
        texts, lambda key, msg: errors.setdefault(key, []).append(msg), event.publish_locales
    )
    if errors:
        raise ValidationFailed(errors)
    event.status = EventStatus.PUBLISHED
    page_version.event_changed(event)
    broadcasts.sync_reminders(event)
    audit.record(audit.PUBLISHED, event, actor)
    webhooks.event_updated(event, ["status"])
    subscriptions.queue_new_event_notices(event)  # in this transaction, through the outbox
    return event


def preview_cancellation(event: Event) -> ChangeSummary:
    """What :func:`cancel_event` would do: how many registrants it would tell."""
    data = EventData.from_event(event)
    data.status = EventStatus.CANCELLED
    new = _Resolved(
        data,
        EventStatus.CANCELLED,
        event.starts_at,
        event.ends_at,
        event.registration_closes_at,
        data.texts,
        data.interpretation_languages,
        data.partners,
        event.online_url,
        list(event.required_locales),
        embed_origins=list(event.embed_origins or []),
    )
    return summarise(event, new)


def cancel_event(
    event: Event, actor: Organiser | None = None, message: dict[str, str] | None = None
) -> ChangeSummary:
    """Cancel the event and tell everyone registered, waitlist included.

    ``message`` is the organisers' optional word to registrants, one text per locale. The
    registrations are kept, so that :func:`reopen_event` can bring the event back. Cancelling
    twice does nothing the second time.
    """
    event = lock_event(event.id)
    summary = preview_cancellation(event)
    if not summary.cancelled:
        return summary
    event.status = EventStatus.CANCELLED
    page_version.event_changed(event)
    _cancel(event, actor, message=message)
    return summary


def _cancel(
    event: Event, actor: Organiser | None, message: dict[str, str] | None = None, **audit_details
) -> None:
    event.sequence += 1
    broadcasts.withdraw_for_event(event, _OBSOLETE_ON_CANCEL)
    words = {locale: text.strip() for locale, text in (message or {}).items() if text.strip()}
    payload = {"sequence": event.sequence, **({"message": words} if words else {})}
    broadcasts.schedule(
        event, MessageKind.EVENT_CANCELLED, "cancellation", payload=payload, registered_now=True
    )
    if words:
        audit_details["with_message"] = True
    audit.record(audit.CANCELLED, event, actor, **audit_details)
    webhooks.event_cancelled(event)


def registrant_count(event: Event) -> int:
    """People with a place or on the waitlist: those a postponement or cancellation tells."""
    return active_registrants(event)


def postpone_event(
    event: Event, actor: Organiser | None = None, message: dict[str, str] | None = None
) -> int:
    """Take a published event off its date until a new one is set.

    Registrations are kept and registration closes; every registrant is told, with the
    organisers' optional ``message``; reminders are dropped. Setting a new time in the editor
    publishes it again and sends updated invitations (:func:`update_event`). Returns how many
    people are told.
    """
    event = lock_event(event.id)
    if event.status != EventStatus.PUBLISHED:
        raise DomainError(_l("Only a published event can be postponed."))
    if event.is_past():
        raise DomainError(_l("This event is over: it cannot be postponed."))
    event.status = EventStatus.POSTPONED
    page_version.event_changed(event)
    broadcasts.withdraw_for_event(event, (MessageKind.REMINDER, MessageKind.EVENT_UPDATED))
    words = {k: v.strip() for k, v in (message or {}).items() if v and v.strip()}
    payload = {"changes": [POSTPONED], **({"message": words} if words else {})}
    told = _tell_everyone(event, payload)
    audit.record(audit.POSTPONED, event, actor, with_message=bool(words))
    webhooks.event_updated(event, ["status"])
    return told


def reopen_event(event: Event, actor: Organiser | None = None) -> int:
    """Bring a cancelled event back: published again, its registrations as they were, every
    registrant told (confirmed ones with a new invitation and their reminders). Returns how
    many people are told."""
    event = lock_event(event.id)
    if event.status != EventStatus.CANCELLED:
        raise DomainError(_l("Only a cancelled event can be re-opened."))
    if event.is_past():
        raise DomainError(_l("This event is over: it cannot be re-opened."))
    event.status = EventStatus.PUBLISHED
    event.sequence += 1
    page_version.event_changed(event)
    told = _tell_everyone(event, {"changes": [REOPENED]})
    broadcasts.sync_reminders(event)
    audit.record(audit.REOPENED, event, actor)
    webhooks.event_updated(event, ["status"])
    _fill_free_seats(event)
    return told


def _new_date_ends_postponement(event: Event, data: EventData) -> EventData:
    """A postponed event given a new start or end is published again: registrants then get
    the new time and updated invitations like any other change of time."""
    if event.status != EventStatus.POSTPONED or EventStatus(data.status) != EventStatus.POSTPONED:
        return data
    current = EventData.from_event(event)
    if (data.start, data.end, data.timezone) == (current.start, current.end, current.timezone):
        return data
    return replace(data, status=EventStatus.PUBLISHED)


def _titles_changed(event: Event, before: dict[str, str]) -> list[str]:
    return [c.locale for c in event.contents if before.get(c.locale) != c.title]


def _tell_everyone(event: Event, payload: dict) -> int:
    """One update to every registrant with a place or on the waitlist now; returns how many."""
    statuses = [str(RegistrationStatus.CONFIRMED), str(RegistrationStatus.WAITLISTED)]
    broadcasts.schedule(
        event,
        MessageKind.EVENT_UPDATED,
        "update",
        payload={**payload, "statuses": statuses},
        registered_now=True,
    )
    return active_registrants(event)


def _tell_changes(event: Event, summary: ChangeSummary, title_locales: list[str]) -> None:
    """Write one update broadcast for the registrants concerned, and move reminders with the
    time (by the caller).

    Confirmed registrants get an updated invite; for a new time the waitlist is told too. A new
    title is news only to those who read the event in a language whose title changed (decided
    per recipient when the worker expands it). An update not yet gone out is folded into the
    new one, so that the message says what changed since the registrant last heard, not since
    the previous unsent change.
    """
    event.sequence += 1
    told = set(summary.changes)
    statuses = {str(status) for status in audience_statuses(summary.changes)}
    old_start, old_end = summary.old_start.isoformat(), summary.old_end.isoformat()
    locales = set(title_locales) if TITLE in summary.changes else set()
    earlier = broadcasts.unsent(event, MessageKind.EVENT_UPDATED)
    for previous in earlier:
        payload = previous.payload or {}
        if "title" in (payload.get("changes") or ()):
            locales |= set(payload.get("title_locales") or ())
        told |= set(payload.get("changes") or ())
        statuses |= set(payload.get("statuses") or ())
        broadcasts.withdraw(previous)
    if earlier:
        first = earlier[0].payload or {}
        old_start = first.get("old_start", old_start)
        old_end = first.get("old_end", old_end)
    outbox.drop_pending_for_event(event, (MessageKind.EVENT_UPDATED,))
    order = (TIME, LINK, TITLE, DETAILS)
    broadcasts.schedule(
        event,
        MessageKind.EVENT_UPDATED,
        "update",
        payload={
            "old_start": old_start,
            "old_end": old_end,
            "changes": [change for change in order if change in told],
            "statuses": sorted(statuses),
            "title_locales": sorted(locales),
        },
        registered_now=True,
    )


def _apply(event: Event, new: _Resolved) -> None:
    """Copy ``new`` onto ``event``, touching only what differs."""
    data = new.data
    values = {
        "slug": data.slug,
        "timezone": data.timezone,
        "starts_at": new.starts_at,
        "ends_at": new.ends_at,
        "floor_language": data.floor_language,
        "interpretation_languages": new.interpretation_languages,
        "online_url": new.online_url,
        "capacity": data.capacity,
        "registration_closes_at": new.closes_at,
        "status": new.status,
        "confirm_address": bool(data.confirm_address),
        "required_locales": new.required_locales,
        "embed_origins": new.embed_origins,
    }
    values.update(new.join_settings)
    for name, value in values.items():
        if getattr(event, name, None) != value:
            setattr(event, name, value)
    for locale, fields in new.texts.items():
        stored = next((c for c in event.contents if c.locale == locale), None)
        if stored is None and not any(fields.values()):
            continue
        if stored is None or any(getattr(stored, k) != v for k, v in fields.items()):
            event.set_content(locale, **fields)
    if [p.acronym for p in event.partners] != new.partners:
        _set_partners(event, new.partners)


def _set_partners(event: Event, acronyms: list[str]) -> None:
    by_acronym = {
        p.acronym: p
        for p in db.session.scalars(select(Partner).where(Partner.acronym.in_(acronyms)))
    }
    event.partner_links.clear()
    db.session.flush()
    for position, acronym in enumerate(acronyms):
        event.partner_links.append(EventPartner(partner=by_acronym[acronym], position=position))
