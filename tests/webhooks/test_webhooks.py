"""Webhooks end to end: the change writes its deliveries in its own transaction, the worker
posts them to a real HTTP server on loopback, signed as Standard Webhooks says (checked with
the standardwebhooks package's verifier), retries with back-off for three days, and turns the
endpoint off then or on a 410; private addresses are refused unless allowed."""

import time
from datetime import timedelta

import pytest
from sqlalchemy import func, select
from standardwebhooks.webhooks import Webhook, WebhookVerificationError

from eventsvc.extensions import db
from eventsvc.models import DeliveryStatus, WebhookDelivery, WebhookEndpoint
from eventsvc.services import events as event_service
from eventsvc.services import registrations, webhooks
from eventsvc.services.inputs.base import InputErrors
from eventsvc.unit_of_work import unit_of_work
from eventsvc.webhook_delivery import deliver_due, run

ALL = list(webhooks.EVENT_TYPES)


def _endpoint(url, types=ALL, organiser=None) -> WebhookEndpoint:
    with unit_of_work():
        return webhooks.add_endpoint(organiser, url, types)


def _deliveries() -> list[WebhookDelivery]:
    db.session.expire_all()
    return list(db.session.scalars(select(WebhookDelivery).order_by(WebhookDelivery.id)))


def test_a_registration_is_delivered_signed(app, receiver, make_event, make_registration):
    endpoint = _endpoint(receiver.url, ["registration.created"])
    secret = endpoint.secret
    assert secret.startswith("whsec_")
    event = make_event("gps")
    registration = make_registration(event, email="ana@example.org", full_name="Ana")
    assert [d.event_type for d in _deliveries()] == ["registration.created"]

    assert deliver_due() == 1

    [request] = receiver.requests
    assert request["path"] == "/hooks"
    headers = {k.lower(): v for k, v in request["headers"].items()}
    payload = Webhook(secret).verify(request["body"], headers)
    assert payload["type"] == "registration.created"
    assert payload["data"]["registration"] == {
        **payload["data"]["registration"],
        "id": registration.id,
        "event": "gps",
        "status": "confirmed",
        "email": "ana@example.org",
        "full_name": "Ana",
    }
    assert headers["webhook-id"] == _deliveries()[0].message_id
    with pytest.raises(WebhookVerificationError):
        Webhook(webhooks.new_secret()).verify(request["body"], headers)
    delivery = _deliveries()[0]
    assert delivery.status == DeliveryStatus.DELIVERED
    assert delivery.last_status_code == 200
    assert delivery.last_response == "thanks"


def test_deliveries_are_written_in_the_changes_transaction(app, receiver, make_event):
    from eventsvc.services.inputs.registration import RegistrationInput

    _endpoint(receiver.url)
    event = make_event("gps")
    data = RegistrationInput(full_name="Ana", email="ana@example.org", language="fr")
    with pytest.raises(RuntimeError), unit_of_work():
        registrations.register(event, data)
        assert len(_deliveries_in_session()) == 1
        raise RuntimeError("the change fails after the service")
    assert _deliveries() == []


def _deliveries_in_session():
    return db.session.scalars(select(WebhookDelivery)).all()


def test_cancel_promote_and_event_changes_are_told(
    app, receiver, make_event, make_registration, admin_account
):
    _endpoint(receiver.url)
    event = make_event("gps", capacity=1)
    first = make_registration(event)
    make_registration(event)  # waitlisted
    with unit_of_work():
        registrations.cancel(first, actor=admin_account)
    with unit_of_work():
        event_service.cancel_event(event, admin_account)
    assert [d.event_type for d in _deliveries()] == [
        "registration.created",
        "registration.created",
        "registration.cancelled",
        "registration.promoted",
        "event.cancelled",
    ]
    assert deliver_due() == 5
    assert [p["type"] for p in receiver.payloads()][-1] == "event.cancelled"
    assert receiver.payloads()[2]["data"]["by_organiser"] is True


def test_an_organisers_endpoint_hears_only_of_their_events(
    app, receiver, organiser_account, make_registration
):
    from tests.factories import create_event

    _endpoint(receiver.url, ["registration.created"], organiser=organiser_account)
    theirs = create_event("theirs")
    from eventsvc.models import EventAssignment

    mine = create_event("mine")
    db.session.add(EventAssignment(event_id=mine.id, organiser_id=organiser_account.id))
    db.session.commit()
    make_registration(theirs)
    make_registration(mine)
    assert [d.payload["data"]["registration"]["event"] for d in _deliveries()] == ["mine"]


def test_failures_are_retried_with_back_off_for_three_days_then_the_endpoint_is_off(
    app, receiver, make_event, make_registration, frozen_clock
):
    _endpoint(receiver.url, ["registration.created"])
    receiver.status = 500
    make_registration(make_event("gps"))
    started = frozen_clock.now
    waits = []
    while _deliveries()[0].status == DeliveryStatus.PENDING:
        assert deliver_due() == 1
        delivery = _deliveries()[0]
        assert deliver_due() == 0  # not due again before its time
        if delivery.next_attempt_at is not None:
            waits.append(delivery.next_attempt_at - frozen_clock.now)
            frozen_clock.set(delivery.next_attempt_at)
    assert waits == list(webhooks.RETRY_DELAYS)
    assert timedelta(days=2, hours=23) < frozen_clock.now - started <= timedelta(days=3)
    assert len(receiver.requests) == len(webhooks.RETRY_DELAYS) + 1
    assert len({r["headers"]["webhook-id"] for r in receiver.requests}) == 1
    delivery = _deliveries()[0]
    assert delivery.status == DeliveryStatus.FAILED
    assert delivery.last_status_code == 500
    endpoint = db.session.get(WebhookEndpoint, delivery.endpoint_id)
    assert not endpoint.active and endpoint.disabled_reason == "failing"


def test_a_410_turns_the_endpoint_off_at_once(app, receiver, make_event, make_registration):
    _endpoint(receiver.url, ["registration.created"])
    event = make_event("gps")
    make_registration(event)
    make_registration(event)
    receiver.status = 410
    assert deliver_due() == 1  # the second is given up with the endpoint
    first, second = _deliveries()
    assert first.status == second.status == DeliveryStatus.FAILED
    assert second.attempts == 0
    assert db.session.scalar(select(WebhookEndpoint.disabled_reason)) == "gone"
    make_registration(event)
    assert len(_deliveries()) == 2  # an endpoint turned off gets nothing new


def test_a_recovering_receiver_gets_the_message(
    app, receiver, make_event, make_registration, frozen_clock
):
    _endpoint(receiver.url, ["registration.created"])
    receiver.status = 503
    make_registration(make_event("gps"))
    deliver_due()
    receiver.status = 204
    frozen_clock.advance(timedelta(seconds=5))
    deliver_due()
    delivery = _deliveries()[0]
    assert (delivery.status, delivery.attempts) == (DeliveryStatus.DELIVERED, 2)


def test_private_addresses_are_refused_unless_allowed(app, receiver, make_event, make_registration):
    _endpoint(receiver.url, ["registration.created"])  # allowed when it was added
    app.config["WEBHOOK_ALLOW_PRIVATE"] = False
    make_registration(make_event("gps"))
    deliver_due()
    assert receiver.requests == []
    delivery = _deliveries()[0]
    assert delivery.last_response.startswith("Refused: private or local address")
    for url in (
        receiver.url,
        "http://[::1]/x",
        "http://169.254.169.254/latest",
        "http://10.0.0.1/",
    ):
        with pytest.raises(InputErrors) as refused, unit_of_work():
            webhooks.add_endpoint(None, url, ALL)
        assert "url" in refused.value.errors


@pytest.mark.parametrize("url", ["ftp://example.org/", "javascript:alert(1)", "hooks.example"])
def test_only_http_addresses(app, url):
    with pytest.raises(InputErrors) as refused, unit_of_work():
        webhooks.add_endpoint(None, url, ALL)
    assert "url" in refused.value.errors


def test_unknown_event_types_are_refused(app, receiver):
    with pytest.raises(InputErrors) as refused, unit_of_work():
        webhooks.add_endpoint(None, receiver.url, ["registration.exploded"])
    assert "event_types" in refused.value.errors


def test_a_closed_port_is_retried(app, make_event, make_registration):
    _endpoint("http://127.0.0.1:9/unused", ["registration.created"])
    make_registration(make_event("gps"))
    assert run(once=True, interval=1) == 1
    delivery = _deliveries()[0]
    assert delivery.status == DeliveryStatus.PENDING and delivery.attempts == 1
    assert "ConnectionRefusedError" in delivery.last_response


def test_the_cli_adds_a_webhook_and_prints_its_secret_once(app, runner, receiver):
    result = runner.invoke(
        args=[
            "webhook",
            "add",
            receiver.url,
            "--event",
            "registration.created",
            "--event",
            "event.updated",
        ]
    )
    assert result.exit_code == 0, result.output
    secret = result.output.strip()
    endpoint = db.session.scalar(select(WebhookEndpoint))
    assert secret == endpoint.secret and secret.startswith("whsec_")
    assert endpoint.event_types == ["registration.created", "event.updated"]
    bad = runner.invoke(args=["webhook", "add", "ftp://x.example/", "--event", "event.updated"])
    assert bad.exit_code != 0
    assert db.session.scalar(select(func.count(WebhookEndpoint.id))) == 1


def test_send_webhooks_command(app, runner, receiver, make_event, make_registration):
    _endpoint(receiver.url, ["registration.created"])
    make_registration(make_event("gps"))
    result = runner.invoke(args=["send-webhooks", "--once"])
    assert result.exit_code == 0, result.output
    assert "1 delivery attempt(s)" in result.output
    assert len(receiver.requests) == 1


# --- the workspace page ------------------------------------------------------------------------


def test_the_workspace_adds_shows_the_secret_once_and_sends_a_test(organiser, receiver):
    page = organiser.post(
        "/organiser/webhooks",
        data={"url": receiver.url, "event_types": ["registration.created", "event.cancelled"]},
    )
    assert page.status_code == 201
    html = page.get_data(as_text=True)
    endpoint = db.session.scalar(select(WebhookEndpoint))
    assert endpoint.secret in html
    assert endpoint.secret not in organiser.get("/organiser/webhooks").get_data(as_text=True)

    sent = organiser.post(f"/organiser/webhooks/{endpoint.id}/test")
    assert sent.status_code == 302
    [request] = receiver.requests
    headers = {k.lower(): v for k, v in request["headers"].items()}
    assert Webhook(endpoint.secret).verify(request["body"], headers)["type"] == "webhook.test"
    html = organiser.get("/organiser/webhooks").get_data(as_text=True)
    assert "webhook.test" in html and "HTTP 200" in html and "thanks" in html
    assert deliver_due() == 0  # not sent twice

    organiser.post(f"/organiser/webhooks/{endpoint.id}/off")
    db.session.expire_all()
    assert db.session.get(WebhookEndpoint, endpoint.id).active is False
    organiser.post(f"/organiser/webhooks/{endpoint.id}/remove")
    assert db.session.scalar(select(func.count(WebhookEndpoint.id))) == 0


def test_the_workspace_shows_refusals_in_the_organisers_language(organiser):
    organiser.get("/locale/es")
    page = organiser.post(
        "/organiser/webhooks", data={"url": "ftp://x.example/", "event_types": []}
    )
    assert page.status_code == 422
    html = page.get_data(as_text=True)
    assert "Ingrese una dirección http:// o https://." in html


def test_another_organisers_webhook_is_not_found(organiser, admin_account, receiver):
    endpoint = _endpoint(receiver.url, ["event.updated"], organiser=admin_account)
    organiser.post(f"/organiser/webhooks/{endpoint.id}/remove")
    assert db.session.scalar(select(func.count(WebhookEndpoint.id))) == 1


def test_publishing_a_draft_is_an_event_update(app, receiver, make_event, admin_account):
    from eventsvc.models import EventStatus

    _endpoint(receiver.url, ["event.updated"])
    event = make_event("gps", status=EventStatus.DRAFT)
    with unit_of_work():
        event_service.publish_event(event, admin_account)
    [delivery] = _deliveries()
    assert delivery.payload["data"]["changed"] == ["status"]
    assert delivery.payload["data"]["event"]["status"] == "published"


def test_make_run_delivers_webhooks_from_a_thread_of_the_serving_process(app, monkeypatch):
    """Under ``flask run`` (``make run``) deliveries go out with no second command; under tests
    (and gunicorn unless asked) no thread starts."""
    from eventsvc import webhook_delivery
    from eventsvc.serving import runs_background_thread

    assert not runs_background_thread(app, "WEBHOOK_DELIVERY_THREAD")  # testing
    app.config.update(TESTING=False, WEBHOOK_DELIVERY_THREAD=True, WEBHOOK_INTERVAL=0.05)
    passes = []
    monkeypatch.setattr(webhook_delivery, "deliver_due", lambda: passes.append(1) or 0)
    webhook_delivery.init_app(app)
    thread, stop = app.extensions["webhook_delivery"]
    deadline = time.monotonic() + 10
    while len(passes) < 3 and time.monotonic() < deadline:
        time.sleep(0.02)
    app.config["TESTING"] = True
    alive = thread.is_alive()
    stop.set()
    thread.join(5)
    assert alive and thread.daemon
    assert len(passes) >= 3
    assert not thread.is_alive()  # stops when asked (at exit)
