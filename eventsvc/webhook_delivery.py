"""Sending webhook deliveries: signed the Standard Webhooks way, to public addresses only.

``flask send-webhooks`` claims the due rows (``services.webhooks.claim_due``), posts each, and
records what the receiver said (``services.webhooks.record_attempt``: retries with back-off for
three days, the endpoint turned off then or on a 410).

Signature (https://www.standardwebhooks.com): headers ``webhook-id`` (the delivery's id, the
same on every retry), ``webhook-timestamp`` (Unix seconds of this attempt) and
``webhook-signature``: ``v1,`` + base64 of HMAC-SHA256, keyed with the base64-decoded part of
the ``whsec_…`` secret, over ``{id}.{timestamp}.{body}``. Written with the standard library's
``hmac`` (a dozen lines); the tests check it with the ``standardwebhooks`` package's verifier,
whose own runtime dependencies (an HTTP client among them) the app does not need.

The address guard: the host is resolved here, every address it resolves to must be public
(not loopback, link-local, private, reserved or multicast) unless ``WEBHOOK_ALLOW_PRIVATE``,
and the connection goes to the address that was checked (no second lookup a DNS rebinding
could answer differently); redirects are not followed.
"""

import atexit
import base64
import hashlib
import hmac
import http.client
import json
import logging
import os
import socket
import ssl
import threading
import time
from urllib.parse import urlsplit

from flask import current_app

from eventsvc.extensions import db
from eventsvc.models import DeliveryStatus, WebhookDelivery
from eventsvc.services import webhooks
from eventsvc.serving import runs_background_thread
from eventsvc.unit_of_work import abandon, unit_of_work

log = logging.getLogger("eventsvc.webhooks")

USER_AGENT = "eventsvc-webhooks/1"


def sign(secret: str, message_id: str, timestamp: int, body: bytes) -> str:
    key = base64.b64decode(secret.removeprefix("whsec_"))
    signed = f"{message_id}.{timestamp}.".encode() + body
    digest = hmac.new(key, signed, hashlib.sha256).digest()
    return "v1," + base64.b64encode(digest).decode()


class Refused(Exception):
    """The address may not be reached (private, or not found)."""


def _pinned_connection(url: str, timeout: float):
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise Refused("not an http(s) address")
    port = parts.port or (443 if parts.scheme == "https" else 80)
    addresses = webhooks.resolve(parts.hostname, port)
    if not addresses:
        raise Refused("host name not found")
    if not webhooks.private_allowed() and not all(webhooks.is_public_ip(a) for a in addresses):
        raise Refused("private or local address refused")
    address = addresses[0]
    if parts.scheme == "https":
        return _PinnedHTTPS(parts.hostname, address, port, timeout)
    return _PinnedHTTP(parts.hostname, address, port, timeout)


class _PinnedHTTP(http.client.HTTPConnection):
    def __init__(self, host, address, port, timeout):
        super().__init__(host, port, timeout=timeout)
        self._address = address

    def connect(self):
        self.sock = socket.create_connection((self._address, self.port), self.timeout)


class _PinnedHTTPS(http.client.HTTPSConnection):
    def __init__(self, host, address, port, timeout):
        super().__init__(host, port, timeout=timeout, context=ssl.create_default_context())
        self._address = address

    def connect(self):
        sock = socket.create_connection((self._address, self.port), self.timeout)
        self.sock = self._context.wrap_socket(sock, server_hostname=self.host)


def post(delivery: WebhookDelivery) -> tuple[int | None, str]:
    """One attempt: the receiver's status code and the start of its answer, or ``None`` and
    what went wrong."""
    body = json.dumps(delivery.payload, separators=(",", ":"), ensure_ascii=False).encode()
    # The real time, whatever the app's clock: receivers refuse stale timestamps (replays).
    timestamp = int(time.time())
    headers = {
        "Content-Type": "application/json",
        "User-Agent": USER_AGENT,
        "webhook-id": delivery.message_id,
        "webhook-timestamp": str(timestamp),
        "webhook-signature": sign(delivery.endpoint.secret, delivery.message_id, timestamp, body),
    }
    url = delivery.endpoint.url
    timeout = float(current_app.config["WEBHOOK_TIMEOUT"])
    try:
        connection = _pinned_connection(url, timeout)
        parts = urlsplit(url)
        path = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
        try:
            connection.request("POST", path, body=body, headers=headers)
            response = connection.getresponse()
            text = response.read(webhooks.RESPONSE_KEPT).decode("utf-8", "replace")
            return response.status, text
        finally:
            connection.close()
    except Refused as refused:
        return None, f"Refused: {refused}"
    except (OSError, http.client.HTTPException) as error:
        return None, f"{type(error).__name__}: {error}"


def deliver(delivery_id: int) -> bool:
    """Post one claimed delivery and record the outcome (its own transaction); ``False`` if it
    is no longer waiting (its endpoint turned off since it was claimed)."""
    delivery = db.session.get(WebhookDelivery, delivery_id, populate_existing=True)
    if delivery is None or delivery.status != DeliveryStatus.PENDING:
        db.session.rollback()
        return False
    status, text = post(delivery)
    with unit_of_work():
        webhooks.record_attempt(delivery, status, text)
    log.info(
        "webhook %s %s to endpoint %s: %s",
        delivery.message_id,
        delivery.event_type,
        delivery.endpoint_id,
        status or text,
    )
    return True


def deliver_due(batch_size: int = 50) -> int:
    """Send what is due now, batch after batch; returns how many attempts were made."""
    worker_id = f"{socket.gethostname()}:{os.getpid()}"
    made = 0
    while True:
        with unit_of_work():
            ids = webhooks.claim_due(worker_id, batch_size)
        if not ids:
            return made
        for delivery_id in ids:
            made += deliver(delivery_id)


def run(*, once: bool, interval: float, stop: threading.Event | None = None) -> int:
    """``flask send-webhooks``: once, or polling every ``interval`` seconds until stopped."""
    stop = stop or threading.Event()
    made = 0
    while True:
        try:
            made += deliver_due()
        except Exception:
            if once:
                raise
            log.exception("webhook delivery pass failed; trying again")
            abandon()
        if once or stop.wait(interval):
            return made
        time.sleep(0)


def init_app(app) -> None:
    """Deliver webhooks from a daemon thread of the serving process under ``flask run`` (``make
    run``), like the mail (``WEBHOOK_DELIVERY_THREAD``: unset for that, ``True``/``False`` to
    force); production runs ``flask send-webhooks``."""
    if not runs_background_thread(app, "WEBHOOK_DELIVERY_THREAD"):
        return
    stop = threading.Event()
    interval = float(app.config["WEBHOOK_INTERVAL"])

    def deliver_in_background() -> None:
        while True:
            with app.app_context():  # a fresh session each pass, as the mail dispatcher's
                try:
                    deliver_due()
                except Exception:
                    log.exception("webhook delivery pass failed; trying again")
            if stop.wait(interval):
                return

    thread = threading.Thread(target=deliver_in_background, name="webhook-delivery", daemon=True)
    app.extensions["webhook_delivery"] = (thread, stop)
    thread.start()
    atexit.register(stop.set)
