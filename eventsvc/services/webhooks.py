"""Webhooks: organisers' endpoints, and the deliveries a change writes in its own transaction.

A service that changes something an endpoint may hear about calls one function here, at the
call site, inside the same unit of work (no ORM hook): :func:`registration_created`,
:func:`registration_cancelled`, :func:`registration_promoted`, :func:`event_updated`,
:func:`event_cancelled`, :func:`attendance_updated`. Each writes one ``WebhookDelivery`` row per
active endpoint subscribed to that type whose organiser may see the event; a rollback drops
them with the change. ``flask send-webhooks`` (:mod:`eventsvc.webhook_delivery`) sends them,
signed the Standard Webhooks way, retrying with back-off for up to three days
(:data:`RETRY_DELAYS`); then, or on HTTP 410, the endpoint is turned off.
"""

import base64
import ipaddress
import secrets
import socket
import uuid
from collections.abc import Callable
from datetime import datetime, timedelta

from flask import current_app
from flask_babel import lazy_gettext as _l
from sqlalchemy import func, or_, select, update

from eventsvc import clock
from eventsvc.extensions import db
from eventsvc.models import (
    DeliveryStatus,
    Event,
    Organiser,
    Registration,
    WebhookDelivery,
    WebhookEndpoint,
)
from eventsvc.models.webhook import URL_MAX
from eventsvc.services import DomainError, assignments, owned
from eventsvc.services.inputs.base import Errors
from eventsvc.services.inputs.web import is_web_address

EVENT_TYPES = (
    "registration.created",
    "registration.cancelled",
    "registration.promoted",
    "event.updated",
    "event.cancelled",
    "attendance.updated",
)
#: Sent by the workspace's "send test event" button only.
TEST_TYPE = "webhook.test"

#: Waits after each failed attempt (Standard Webhooks' suggested shape): 5 s, 5 min, 30 min,
#: 2 h, 5 h, 10 h, 14 h, 20 h, 20 h — the last retry about three days after the change.
RETRY_DELAYS = tuple(
    timedelta(seconds=s) for s in (5, 300, 1800, 7200, 18000, 36000, 50400, 72000, 72000)
)
#: How much of a receiver's answer is kept to show on the workspace page.
RESPONSE_KEPT = 500
CLAIM_TIME = timedelta(minutes=2)


class EndpointNotFound(DomainError):
    pass


# --- endpoints ---------------------------------------------------------------------------------


def new_secret() -> str:
    return "whsec_" + base64.b64encode(secrets.token_bytes(32)).decode()


def add_endpoint(organiser: Organiser | None, url: str, event_types: list[str]) -> WebhookEndpoint:
    """Subscribe ``url`` to ``event_types`` for ``organiser`` (``None``: every event, the
    command line's); its ``secret`` is to be shown once by the caller."""
    errors = Errors()
    url = (url or "").strip()
    if not is_web_address(url) or len(url) > URL_MAX:
        errors.add("url", _l("Enter an http:// or https:// address."))
    elif not private_allowed():
        refusal = address_refusal(url)
        if refusal is not None:
            errors.add("url", refusal)
    chosen = list(dict.fromkeys(event_types or ()))
    if not chosen:
        errors.add("event_types", _l("Choose at least one kind of event."))
    elif any(kind not in EVENT_TYPES for kind in chosen):
        errors.add("event_types", _l("Choose among the kinds of event listed."))
    errors.raise_if_any()
    endpoint = WebhookEndpoint(
        organiser_id=organiser.id if organiser else None,
        url=url,
        event_types=chosen,
        secret=new_secret(),
    )
    db.session.add(endpoint)
    db.session.flush()
    return endpoint


def endpoints_of(organiser: Organiser) -> list[WebhookEndpoint]:
    return owned.rows_of(WebhookEndpoint, organiser, WebhookEndpoint.id)


def endpoint_of(organiser: Organiser, endpoint_id: int) -> WebhookEndpoint:
    missing = EndpointNotFound(_l("This webhook does not exist."))
    return owned.row_of(WebhookEndpoint, organiser, endpoint_id, missing)


def set_active(endpoint: WebhookEndpoint, active: bool) -> None:
    """Turned off by its organiser (pending deliveries are given up), or on again."""
    endpoint.active = active
    endpoint.disabled_at = None if active else clock.now()
    endpoint.disabled_reason = "" if active else "organiser"
    if not active:
        _give_up_pending(endpoint)
    db.session.flush()


def remove_endpoint(endpoint: WebhookEndpoint) -> None:
    db.session.delete(endpoint)
    db.session.flush()


def recent_deliveries(endpoint: WebhookEndpoint, limit: int = 20) -> list[WebhookDelivery]:
    return list(
        db.session.scalars(
            select(WebhookDelivery)
            .where(WebhookDelivery.endpoint_id == endpoint.id)
            .order_by(WebhookDelivery.id.desc())
            .limit(limit)
        )
    )


# --- addresses ---------------------------------------------------------------------------------


def private_allowed() -> bool:
    return bool(current_app.config.get("WEBHOOK_ALLOW_PRIVATE"))


def is_public_ip(address: str) -> bool:
    ip = ipaddress.ip_address(address)
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped is not None:
        ip = ip.ipv4_mapped
    return ip.is_global and not ip.is_multicast


def resolve(host: str, port: int) -> list[str]:
    """The addresses ``host`` resolves to (empty if it does not)."""
    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except (OSError, UnicodeError):
        return []
    return list(dict.fromkeys(info[4][0] for info in infos))


def address_refusal(url: str):
    """Why deliveries may not go to ``url`` (it resolves to no address, or to a loopback,
    link-local or private one), or ``None``."""
    from urllib.parse import urlsplit

    parts = urlsplit(url)
    try:
        port = parts.port or (443 if parts.scheme == "https" else 80)
    except ValueError:
        return _l("Enter an http:// or https:// address.")
    addresses = resolve(parts.hostname or "", port)
    if not addresses:
        return _l("This address's host name could not be found.")
    if not all(is_public_ip(a) for a in addresses):
        return _l("This address leads to a private or local network, where webhooks are not sent.")
    return None


# --- what changes write ----------------------------------------------------------------------


def _endpoints_for(event: Event, event_type: str) -> list[WebhookEndpoint]:
    endpoints = db.session.scalars(select(WebhookEndpoint).where(WebhookEndpoint.active)).all()
    return [
        endpoint
        for endpoint in endpoints
        if event_type in (endpoint.event_types or ())
        and (endpoint.organiser is None or assignments.may_access(endpoint.organiser, event.id))
    ]


def _queue(endpoint: WebhookEndpoint, event_type: str, data: dict) -> WebhookDelivery:
    now = clock.now()
    delivery = WebhookDelivery(
        endpoint_id=endpoint.id,
        message_id=f"msg_{uuid.uuid4().hex}",
        event_type=event_type,
        payload={"type": event_type, "timestamp": _iso(now), "data": data},
        next_attempt_at=now,
    )
    db.session.add(delivery)
    return delivery


def _emit(event: Event, event_type: str, data: dict | Callable[[], dict]) -> int:
    """Queue ``data`` for every endpoint that takes ``event_type`` from ``event``. ``data`` may
    be a function, called only when some endpoint does (a registration's data needs its id,
    which costs a flush that the usual case, no endpoint, does without)."""
    endpoints = _endpoints_for(event, event_type)
    if not endpoints:
        return 0
    if callable(data):
        db.session.flush()
        data = data()
    for endpoint in endpoints:
        _queue(endpoint, event_type, data)
    db.session.flush()
    return len(endpoints)


def _iso(instant: datetime | None) -> str | None:
    return None if instant is None else instant.isoformat().replace("+00:00", "Z")


def event_data(event: Event) -> dict:
    return {
        "slug": event.slug,
        "status": event.status.value,
        "timezone": event.timezone,
        "starts_at": _iso(event.starts_at),
        "ends_at": _iso(event.ends_at),
    }


def registration_data(registration: Registration) -> dict:
    erased = registration.anonymised_at is not None
    return {
        "id": registration.id,
        "event": registration.event.slug,
        "status": registration.status.value,
        "full_name": None if erased else registration.full_name,
        "email": None if erased else registration.email,
        "language": registration.language,
        "created_at": _iso(registration.created_at),
    }


def registration_created(registration: Registration) -> int:
    return _emit(
        registration.event,
        "registration.created",
        lambda: {"registration": registration_data(registration)},
    )


def registration_cancelled(registration: Registration, *, by_organiser: bool) -> int:
    data = {"registration": registration_data(registration), "by_organiser": by_organiser}
    return _emit(registration.event, "registration.cancelled", data)


def registration_promoted(registration: Registration) -> int:
    return _emit(
        registration.event,
        "registration.promoted",
        {"registration": registration_data(registration)},
    )


def event_updated(event: Event, changed: list[str]) -> int:
    return _emit(event, "event.updated", {"event": event_data(event), "changed": changed})


def event_cancelled(event: Event) -> int:
    return _emit(event, "event.cancelled", {"event": event_data(event)})


def attendance_updated(event: Event, registration_ids: list[int]) -> int:
    """For the attendance import (issue 18) to call once per import that changed something."""
    data = {"event": event_data(event), "registration_ids": sorted(registration_ids)}
    return _emit(event, "attendance.updated", data)


def send_test(endpoint: WebhookEndpoint) -> WebhookDelivery:
    """A test message to ``endpoint`` (even one turned off, to check it before turning it on)."""
    delivery = _queue(
        endpoint, TEST_TYPE, {"message": "A test from eventsvc.", "endpoint_id": endpoint.id}
    )
    # Claimed for the caller, who sends it at once: a worker polling meanwhile leaves it.
    delivery.claimed_until = clock.now() + CLAIM_TIME
    db.session.flush()
    return delivery


# --- the worker's bookkeeping ------------------------------------------------------------------


def claim_due(worker_id: str, limit: int) -> list[int]:
    """Claim up to ``limit`` due deliveries for ``CLAIM_TIME``; returns their ids."""
    now = clock.now()
    ids = db.session.scalars(
        select(WebhookDelivery.id)
        .where(
            WebhookDelivery.status == DeliveryStatus.PENDING,
            WebhookDelivery.next_attempt_at <= now,
            or_(WebhookDelivery.claimed_until.is_(None), WebhookDelivery.claimed_until < now),
        )
        .order_by(WebhookDelivery.next_attempt_at, WebhookDelivery.id)
        .limit(limit)
    ).all()
    if not ids:
        return []
    claimed = db.session.execute(
        update(WebhookDelivery)
        .where(
            WebhookDelivery.id.in_(ids),
            WebhookDelivery.status == DeliveryStatus.PENDING,
            or_(WebhookDelivery.claimed_until.is_(None), WebhookDelivery.claimed_until < now),
        )
        .values(claimed_until=now + CLAIM_TIME)
        .returning(WebhookDelivery.id)
    ).scalars()
    return sorted(claimed)


def due_count() -> int:
    return db.session.scalar(
        select(func.count(WebhookDelivery.id)).where(
            WebhookDelivery.status == DeliveryStatus.PENDING,
            WebhookDelivery.next_attempt_at <= clock.now(),
        )
    )


def record_attempt(delivery: WebhookDelivery, status_code: int | None, response: str) -> None:
    """What one attempt got: a 2xx delivers; a 410 turns the endpoint off; anything else is
    retried after the next of :data:`RETRY_DELAYS`, or, when they are spent (three days of
    failures), ends the delivery and turns the endpoint off."""
    now = clock.now()
    delivery.attempts += 1
    delivery.last_attempt_at = now
    delivery.last_status_code = status_code
    delivery.last_response = (response or "")[:RESPONSE_KEPT]
    delivery.claimed_until = None
    endpoint = delivery.endpoint
    if status_code is not None and 200 <= status_code < 300:
        delivery.status = DeliveryStatus.DELIVERED
        delivery.next_attempt_at = None
    elif status_code == 410:
        delivery.status = DeliveryStatus.FAILED
        delivery.next_attempt_at = None
        if delivery.event_type != TEST_TYPE:
            _disable(endpoint, "gone")
    elif delivery.attempts > len(RETRY_DELAYS):
        delivery.status = DeliveryStatus.FAILED
        delivery.next_attempt_at = None
        if delivery.event_type != TEST_TYPE:
            _disable(endpoint, "failing")
    else:
        delivery.next_attempt_at = now + RETRY_DELAYS[delivery.attempts - 1]
    db.session.flush()


def _disable(endpoint: WebhookEndpoint, reason: str) -> None:
    if endpoint.active:
        endpoint.active = False
        endpoint.disabled_at = clock.now()
        endpoint.disabled_reason = reason
    _give_up_pending(endpoint)


def _give_up_pending(endpoint: WebhookEndpoint) -> None:
    db.session.execute(
        update(WebhookDelivery)
        .where(
            WebhookDelivery.endpoint_id == endpoint.id,
            WebhookDelivery.status == DeliveryStatus.PENDING,
            WebhookDelivery.event_type != TEST_TYPE,
        )
        .values(status=DeliveryStatus.FAILED, next_attempt_at=None, claimed_until=None)
    )
