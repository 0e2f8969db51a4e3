"""Anonymous reading: the published events, one event, the partners."""

from datetime import datetime

from flask import abort, jsonify, request
from sqlalchemy import select

from eventsvc import clock
from eventsvc.api import bp, pagination, representations
from eventsvc.api.params import BadParameters, read_flag, read_instant
from eventsvc.extensions import db
from eventsvc.i18n import supported_locales
from eventsvc.lookups import PUBLIC_STATUSES
from eventsvc.models import Event, EventPartner, Partner
from eventsvc.problems import problem
from eventsvc.services import registrations

#: Rows read per batch while filtering on what SQL does not see (languages, open or not).
_BATCH = 200

_LIST_PARAMETERS = frozenset({"language", "from", "to", "partner", "open", "cursor", "limit"})


def _unknown_parameters(allowed: frozenset, problems: BadParameters) -> None:
    for name in request.args:
        if name not in allowed:
            problems.add(name, "This query parameter is not known.")


@bp.get("/events")
def events():
    """Published events (and cancelled or postponed ones, which their status says), by start.

    Without ``from``, the events not over yet; ``to`` excludes events starting at or after it.
    """
    problems = BadParameters()
    _unknown_parameters(_LIST_PARAMETERS, problems)
    language = request.args.get("language")
    if language is not None and not language.strip():
        problems.add("language", "Give a language code, e.g. fr.")
    start = read_instant("from", request.args.get("from"), problems)
    end = read_instant("to", request.args.get("to"), problems)
    partner = request.args.get("partner")
    open_only = read_flag("open", request.args.get("open"), problems)
    limit = pagination.read_limit(problems)
    after = pagination.read_cursor("events", request.args.get("cursor"), problems)
    key = _event_key(after, problems)
    problems.abort_if_any()

    query = select(Event).where(Event.status.in_(PUBLIC_STATUSES))
    if start is not None:
        query = query.where(Event.starts_at >= start)
    else:
        query = query.where(Event.ends_at > clock.now())
    if end is not None:
        query = query.where(Event.starts_at < end)
    if partner is not None:
        query = query.where(
            Event.id.in_(
                select(EventPartner.event_id)
                .join(Partner, Partner.id == EventPartner.partner_id)
                .where(Partner.acronym == partner)
            )
        )
    if key is not None:
        starts, event_id = key
        query = query.where(
            (Event.starts_at > starts) | ((Event.starts_at == starts) & (Event.id > event_id))
        )
    query = query.order_by(Event.starts_at, Event.id)

    def wanted(event: Event) -> bool:
        if language is not None and language not in event.languages:
            return False
        return open_only is None or (registrations.closed_reason(event) is None) == open_only

    found: list[Event] = []
    offset = 0
    while len(found) <= limit:
        batch = db.session.scalars(query.offset(offset).limit(_BATCH)).all()
        found.extend(event for event in batch if wanted(event))
        if len(batch) < _BATCH:
            break
        offset += _BATCH
    shown, cursor = pagination.page(
        found, limit, "events", lambda e: [e.starts_at.isoformat(), e.id]
    )
    return jsonify(
        {
            "data": [representations.event(event, full=False) for event in shown],
            "next_cursor": cursor,
        }
    )


def _event_key(after: list | None, problems: BadParameters):
    if after is None:
        return None
    try:
        starts, event_id = after
        starts = datetime.fromisoformat(starts)
        if starts.tzinfo is None:
            raise ValueError(starts)
        return starts, int(event_id)
    except (TypeError, ValueError):
        problems.add("cursor", "This cursor is not one this API gave out.")
        return None


@bp.get("/events/<slug>")
def event(slug):
    problems = BadParameters()
    _unknown_parameters(frozenset(), problems)
    problems.abort_if_any()
    found = db.session.scalar(select(Event).where(Event.slug == slug))
    if found is None or found.status not in PUBLIC_STATUSES:
        abort(problem(404, "No published event has this slug.", kind="not-found"))
    return jsonify(representations.event(found, full=True))


@bp.get("/partners")
def partners():
    problems = BadParameters()
    _unknown_parameters(frozenset(), problems)
    problems.abort_if_any()
    rows = db.session.scalars(select(Partner).order_by(Partner.acronym)).all()
    return jsonify({"data": [representations.partner(p) for p in rows]})


@bp.get("/languages")
def languages():
    """The languages the site and its events' texts can be read in."""
    return jsonify({"data": supported_locales()})
