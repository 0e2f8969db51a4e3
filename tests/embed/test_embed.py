"""The embed pages: framing only for the allowed origins, the cookie-less form token, the
confirmation inside the frame with the personal link, the public form's protections kept."""

import time

import pytest
from sqlalchemy import select

from eventsvc.extensions import db
from eventsvc.models import MessageKind, MessageStatus, OutboxMessage, Registration
from eventsvc.urls import manage_url
from tests.public.html import page, text

ALLOWED = "https://partner.example.org"


@pytest.fixture
def app_config():
    return {"EMBED_ALLOWED_ORIGINS": f"{ALLOWED}, http://127.0.0.1:8123"}


def registrations(event) -> list[Registration]:
    db.session.expire_all()
    return list(db.session.scalars(select(Registration).where(Registration.event_id == event.id)))


def form_token(response) -> str:
    field = page(response).find("input", attrs={"name": "form_token"})
    assert field is not None and field["value"]
    return field["value"]


def test_embed_page_may_be_framed_by_the_allowed_origins_only(client, make_event):
    make_event(slug="gps")

    response = client.get("/embed/fr/events/gps")

    assert response.status_code == 200
    policy = response.headers["Content-Security-Policy"]
    assert "frame-ancestors https://partner.example.org http://127.0.0.1:8123" in policy
    assert "'none'" not in policy.split("frame-ancestors")[1]
    assert "X-Frame-Options" not in response.headers
    assert "no-store" in response.headers["Cache-Control"]
    assert "Set-Cookie" not in response.headers
    html = page(response)
    assert html.find("form")["action"] == "/embed/fr/events/gps/register"
    assert html.find("input", attrs={"name": "csrf_token"}) is None
    assert html.find("body")["data-embed-origins"] == f"{ALLOWED} http://127.0.0.1:8123"


def test_every_other_page_still_refuses_frames(client, make_event):
    make_event(slug="gps")

    for url in ("/fr/events/gps", "/fr/", "/static/embed.js"):
        response = client.get(url)
        assert "frame-ancestors 'none'" in response.headers["Content-Security-Policy"], url
        assert response.headers["X-Frame-Options"] == "DENY", url


def test_without_allowed_origins_no_site_may_frame_the_embed(app, client, make_event):
    app.config["EMBED_ALLOWED_ORIGINS"] = ["https://ok.example", "javascript:alert(1)", "x; y"]
    make_event(slug="gps")

    policy = client.get("/embed/en/events/gps").headers["Content-Security-Policy"]
    assert policy.endswith("frame-ancestors https://ok.example")

    app.config["EMBED_ALLOWED_ORIGINS"] = []
    policy = client.get("/embed/en/events/gps").headers["Content-Security-Policy"]
    assert policy.endswith("frame-ancestors 'none'")


def test_registering_without_cookies_shows_the_confirmation_and_personal_link(
    app, make_event, form_data
):
    event = make_event(slug="gps")
    client = app.test_client(use_cookies=False)
    token = form_token(client.get("/embed/fr/events/gps"))

    response = client.post(
        "/embed/fr/events/gps/register",
        data={**form_data(email="ana@example.org"), "form_token": token},
    )

    assert response.status_code == 303
    assert response.headers["Location"].startswith("/embed/fr/events/gps/done?t=")
    assert "Set-Cookie" not in response.headers
    [registration] = registrations(event)
    assert registration.status == "confirmed"
    done = client.get(response.headers["Location"])
    assert done.status_code == 200
    assert "frame-ancestors https://partner.example.org" in done.headers["Content-Security-Policy"]
    html = page(done)
    assert text(html.h1) == "Merci de votre inscription"
    assert html.select_one(".personal-link a")["href"] == manage_url(registration)


def test_a_full_event_shows_the_waitlist_notice_in_the_frame(app, make_event, form_data):
    event = make_event(slug="gps", capacity=1)
    client = app.test_client(use_cookies=False)
    for email in ("one@example.org", "two@example.org"):
        token = form_token(client.get("/embed/en/events/gps"))
        response = client.post(
            "/embed/en/events/gps/register",
            data={**form_data(email=email, language="en"), "form_token": token},
        )
    done = client.get(response.headers["Location"])
    assert text(page(done).h1) == "You are on the waitlist"
    assert page(done).select_one(".personal-link a") is not None
    assert [r.status for r in registrations(event)] == ["confirmed", "waitlisted"]


def test_an_address_already_registered_gets_no_personal_link(app, make_event, form_data):
    make_event(slug="gps")
    client = app.test_client(use_cookies=False)
    for _ in range(2):
        token = form_token(client.get("/embed/en/events/gps"))
        response = client.post(
            "/embed/en/events/gps/register", data={**form_data(language="en"), "form_token": token}
        )
    assert page(client.get(response.headers["Location"])).select_one(".personal-link") is None


@pytest.mark.parametrize("token", ["", "forged", None])
def test_a_post_without_a_valid_token_registers_nobody_and_keeps_the_details(
    app, make_event, form_data, token
):
    event = make_event(slug="gps")
    client = app.test_client(use_cookies=False)
    data = form_data(email="ana@example.org", language="en")
    if token is not None:
        data["form_token"] = token

    response = client.post("/embed/en/events/gps/register", data=data)

    assert response.status_code == 400
    assert registrations(event) == []
    html = page(response)
    assert "Nothing was lost" in text(html.select_one(".error-summary"))
    assert html.find("input", attrs={"name": "email"})["value"] == "ana@example.org"
    assert html.find("input", attrs={"name": "form_token"})["value"]


def test_a_token_of_another_event_or_expired_is_refused(app, make_event, form_data, frozen_clock):
    make_event(slug="gps")
    other = make_event(slug="other")
    client = app.test_client(use_cookies=False)
    token_other = form_token(client.get("/embed/en/events/other"))
    response = client.post(
        "/embed/en/events/gps/register",
        data={**form_data(language="en"), "form_token": token_other},
    )
    assert response.status_code == 400
    assert registrations(other) == []

    app.config["EMBED_FORM_MAX_AGE"] = 1
    token = form_token(client.get("/embed/en/events/gps"))
    time.sleep(2.1)  # itsdangerous reads the system clock
    response = client.post(
        "/embed/en/events/gps/register", data={**form_data(language="en"), "form_token": token}
    )
    assert response.status_code == 400


def test_the_honeypot_registers_nobody_but_looks_like_success(app, make_event, form_data):
    event = make_event(slug="gps")
    client = app.test_client(use_cookies=False)
    token = form_token(client.get("/embed/en/events/gps"))
    response = client.post(
        "/embed/en/events/gps/register",
        data={**form_data(language="en", website="http://spam"), "form_token": token},
    )
    assert response.status_code == 303
    assert registrations(event) == []
    assert page(client.get(response.headers["Location"])).select_one(".personal-link") is None


def test_the_mailbox_cap_still_holds_the_mail(app, make_event, form_data):
    app.config["MAILBOX_MESSAGES_PER_HOUR"] = 1
    client = app.test_client(use_cookies=False)
    for slug in ("one", "two"):
        make_event(slug=slug)
        token = form_token(client.get(f"/embed/en/events/{slug}"))
        client.post(
            f"/embed/en/events/{slug}/register",
            data={**form_data(email="ana@example.org", language="en"), "form_token": token},
        )
    statuses = db.session.scalars(
        select(OutboxMessage.status)
        .where(OutboxMessage.kind == MessageKind.CONFIRMATION)
        .order_by(OutboxMessage.id)
    ).all()
    assert statuses == [MessageStatus.PENDING, MessageStatus.HELD]


def test_a_closed_event_shows_why_and_no_form(client, make_event):
    make_event(slug="gps", status="cancelled")
    html = page(client.get("/embed/en/events/gps"))
    assert html.find("form") is None
    assert "cancelled" in text(html.select_one(".registration"))


def test_events_list_embed_links_to_the_event_embeds(client, make_event):
    make_event(slug="gps")
    response = client.get("/embed/es/events")
    assert response.status_code == 200
    assert (
        "frame-ancestors https://partner.example.org" in response.headers["Content-Security-Policy"]
    )
    [link] = page(response).select(".card-title a")
    assert link["href"] == "/embed/es/events/gps" and link["target"] == "_self"


def test_unknown_language_or_draft_is_not_found(client, make_event):
    make_event(slug="gps", status="draft")
    assert client.get("/embed/xx/events").status_code == 404
    assert client.get("/embed/en/events/gps").status_code == 404


def test_the_subscribe_form_works_in_the_frame_without_cookies(app, make_event):
    from eventsvc.models import MessageKind, Subscription

    client = app.test_client(use_cookies=False)
    page_ = client.get("/embed/fr/subscribe")
    assert "frame-ancestors https://partner.example.org" in page_.headers["Content-Security-Policy"]
    token = form_token(page_)
    data = {"email": "sub@example.org", "languages": ["fr"], "frequency": "weekly"}

    refused = client.post("/embed/fr/subscribe", data=data)
    assert refused.status_code == 400
    response = client.post("/embed/fr/subscribe", data={**data, "form_token": token})

    assert response.status_code == 303
    assert response.headers["Location"] == "/embed/fr/subscribe/sent"
    assert "Set-Cookie" not in response.headers
    subscription = db.session.scalar(select(Subscription))
    assert (subscription.email, subscription.status) == ("sub@example.org", "pending")
    kinds = db.session.scalars(select(OutboxMessage.kind)).all()
    assert kinds == [MessageKind.SUBSCRIPTION_CONFIRM]
    # A registration form's token does not open the subscribe form.
    make_event(slug="gps")
    event_token = form_token(client.get("/embed/fr/events/gps"))
    other = {**data, "email": "other@example.org", "form_token": event_token}
    assert client.post("/embed/fr/subscribe", data=other).status_code == 400
