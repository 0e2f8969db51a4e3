"""API tokens: made on the command line or in the workspace (shown once, stored hashed),
scoped read or write and to the organiser's own events, revocable, last use shown; with one,
registrations are listed, created (same rules, same mail) and cancelled."""

import hashlib
from datetime import timedelta

import pytest
from bs4 import BeautifulSoup
from sqlalchemy import select

from eventsvc.extensions import db
from eventsvc.mail.dispatcher import dispatch_due
from eventsvc.models import ApiToken, EventStatus, MessageKind, RegistrationStatus
from eventsvc.services import api_tokens
from eventsvc.unit_of_work import unit_of_work
from tests.factories import pending

PROBLEM = "application/problem+json"


def _token(account, scope="write") -> str:
    with unit_of_work():
        return api_tokens.create(account, "test", scope)[1]


def _auth(token: str) -> dict:
    return {"Authorization": f"Bearer {token}"}


def _new(**changes) -> dict:
    body = {
        "full_name": "Ana Pérez",
        "email": "ana@example.org",
        "language": "es",
        "country": "PE",
        "consent": True,
    }
    body.update(changes)
    return {k: v for k, v in body.items() if v is not None}


@pytest.fixture
def olga_token(organiser_account):
    return _token(organiser_account)


# --- making tokens ---------------------------------------------------------------------------


def test_the_cli_prints_a_token_once_and_stores_only_its_hash(runner, organiser_account):
    result = runner.invoke(args=["api-token", "create", organiser_account.email, "--scope", "read"])
    assert result.exit_code == 0, result.output
    token = result.output.strip()
    assert token.startswith("evs_") and len(token) > 40
    row = db.session.scalar(select(ApiToken))
    assert row.token_hash == hashlib.sha256(token.encode()).hexdigest()
    assert token not in repr(row.__dict__)
    assert row.scope == "read"
    assert row.organiser_id == organiser_account.id


def test_the_cli_refuses_an_unknown_address(runner, app):
    result = runner.invoke(args=["api-token", "create", "nobody@example.org"])
    assert result.exit_code != 0
    assert "No active organiser account" in result.output


def test_the_workspace_makes_shows_once_and_revokes(organiser, organiser_account, client):
    page = organiser.post(
        "/organiser/account/api-tokens", data={"name": "Website sync", "scope": "write"}
    )
    assert page.status_code == 201
    html = page.get_data(as_text=True)
    start = html.index("evs_")
    token = html[start : html.index("<", start)]
    assert client.get("/api/v1/events/none/registrations", headers=_auth(token)).status_code == 404
    again = organiser.get("/organiser/account/api-tokens").get_data(as_text=True)
    assert token not in again
    assert "Website sync" in again and token[:8] in again
    assert "Never" not in again  # it was used just now
    row = db.session.scalar(select(ApiToken))
    assert organiser.post(f"/organiser/account/api-tokens/{row.id}/revoke").status_code == 302
    refused = client.get("/api/v1/events/none/registrations", headers=_auth(token))
    assert refused.status_code == 401
    assert refused.mimetype == PROBLEM
    assert 'error="invalid_token"' in refused.headers["WWW-Authenticate"]


def test_the_workspace_asks_for_a_name_in_the_organisers_language(organiser):
    organiser.get("/locale/fr")
    page = organiser.post("/organiser/account/api-tokens", data={"name": " ", "scope": "read"})
    assert page.status_code == 422
    assert "Donnez un nom au jeton" in page.get_data(as_text=True)


def test_the_account_page_links_to_tokens_and_webhooks_once_and_keeps_its_title(organiser):
    """The API section stood twice, once inside the page's <title>."""
    doc = BeautifulSoup(organiser.get("/organiser/account").text, "html.parser")
    assert doc.title.get_text() == "Your account · Organiser workspace"
    assert len(doc.select("#api-heading")) == 1
    links = [a["href"] for a in doc.select("section[aria-labelledby=api-heading] a")]
    assert links == ["/organiser/account/api-tokens", "/organiser/webhooks"]


def test_an_organiser_cannot_revoke_someone_elses_token(organiser, admin_account):
    with unit_of_work():
        row, _token_text = api_tokens.create(admin_account, "admin's", "read")
    organiser.post(f"/organiser/account/api-tokens/{row.id}/revoke")
    db.session.expire_all()
    assert db.session.get(ApiToken, row.id).revoked_at is None


def test_an_organiser_lists_and_revokes_only_their_own_tokens(
    organiser_account, admin_account, frozen_clock
):
    """Live tokens first, the newest first; another organiser's or an unknown id is absent."""
    made = {}
    for name in ("old", "revoked", "new"):
        with unit_of_work():
            made[name] = api_tokens.create(organiser_account, name, "read")[0]
        frozen_clock.advance(timedelta(minutes=1))
    with unit_of_work():
        theirs = api_tokens.create(admin_account, "admin's", "read")[0]
        api_tokens.revoke(organiser_account, made["revoked"].id)

    assert [row.name for row in api_tokens.tokens_of(organiser_account)] == [
        "new",
        "old",
        "revoked",
    ]
    for token_id in (theirs.id, theirs.id + 1000):
        with pytest.raises(api_tokens.TokenNotFound), unit_of_work():
            api_tokens.revoke(organiser_account, token_id)
    db.session.expire_all()
    assert db.session.get(ApiToken, theirs.id).revoked_at is None


# --- authentication and scope ----------------------------------------------------------------


def test_no_token_or_a_wrong_one_is_401(client, make_event):
    make_event("gps")
    missing = client.get("/api/v1/events/gps/registrations")
    assert missing.status_code == 401
    assert missing.headers["WWW-Authenticate"].startswith("Bearer")
    wrong = client.get("/api/v1/events/gps/registrations", headers=_auth("evs_nope"))
    assert wrong.status_code == 401 and wrong.mimetype == PROBLEM


def test_a_read_token_may_not_write(client, make_event, organiser_account):
    make_event("gps")
    token = _token(organiser_account, "read")
    response = client.post("/api/v1/events/gps/registrations", json=_new(), headers=_auth(token))
    assert response.status_code == 403
    assert 'error="insufficient_scope"' in response.headers["WWW-Authenticate"]


def test_a_token_sees_only_its_organisers_events(client, make_event, olga_token):
    make_event("mine")  # assigned to Olga (make_event with organiser_account)
    from tests.factories import create_event

    create_event("theirs")
    assert (
        client.get("/api/v1/events/mine/registrations", headers=_auth(olga_token)).status_code
        == 200
    )
    hidden = client.get("/api/v1/events/theirs/registrations", headers=_auth(olga_token))
    assert hidden.status_code == 404 and hidden.mimetype == PROBLEM


def test_an_admins_token_sees_every_event(client, admin_account):
    from tests.factories import create_event

    create_event("any")
    token = _token(admin_account, "read")
    assert client.get("/api/v1/events/any/registrations", headers=_auth(token)).status_code == 200


def test_a_deactivated_organisers_token_stops_working(
    client, make_event, organiser_account, olga_token
):
    make_event("gps")
    organiser_account.active = False
    db.session.commit()
    assert (
        client.get("/api/v1/events/gps/registrations", headers=_auth(olga_token)).status_code == 401
    )


def test_last_use_is_recorded(client, make_event, olga_token, frozen_clock):
    make_event("gps")
    client.get("/api/v1/events/gps/registrations", headers=_auth(olga_token))
    row = db.session.scalar(select(ApiToken))
    assert row.last_used_at == frozen_clock.now


# --- registrations -------------------------------------------------------------------------------


def test_list_and_filter_registrations_with_cursor(
    client, make_event, make_registration, olga_token
):
    event = make_event("gps", capacity=2)
    people = [make_registration(event, email=f"p{n}@example.org") for n in range(4)]
    url = "/api/v1/events/gps/registrations?limit=3"
    first = client.get(url, headers=_auth(olga_token)).get_json()
    assert [r["id"] for r in first["data"]] == [p.id for p in people[:3]]
    second = client.get(
        f"{url}&cursor={first['next_cursor']}", headers=_auth(olga_token)
    ).get_json()
    assert [r["id"] for r in second["data"]] == [people[3].id]
    assert second["next_cursor"] is None
    waitlisted = client.get(
        "/api/v1/events/gps/registrations?status=waitlisted", headers=_auth(olga_token)
    ).get_json()["data"]
    assert [(r["id"], r["waitlist_position"]) for r in waitlisted] == [
        (people[2].id, 1),
        (people[3].id, 2),
    ]
    by_address = client.get(
        "/api/v1/events/gps/registrations?email=P1@Example.org", headers=_auth(olga_token)
    ).get_json()["data"]
    assert [r["fields"]["email"] for r in by_address] == ["p1@example.org"]
    assert by_address[0]["answers"] == {}


def test_create_a_registration_sends_the_same_mail(smtp_app, smtp, client, make_event, olga_token):
    make_event("gps")
    response = client.post(
        "/api/v1/events/gps/registrations", json=_new(), headers=_auth(olga_token)
    )
    assert response.status_code == 201, response.get_data(as_text=True)
    body = response.get_json()
    assert body["status"] == "confirmed"
    assert body["fields"]["email"] == "ana@example.org"
    assert response.headers["Location"] == f"/api/v1/events/gps/registrations/{body['id']}"
    assert len(pending(MessageKind.CONFIRMATION)) == 1
    dispatch_due()
    assert [m["To"] for m in smtp.messages] == ["Ana Pérez <ana@example.org>"]
    again = client.post("/api/v1/events/gps/registrations", json=_new(), headers=_auth(olga_token))
    assert again.status_code == 200 and again.get_json()["id"] == body["id"]


def test_create_follows_the_capacity(client, make_event, olga_token):
    make_event("gps", capacity=0)
    response = client.post(
        "/api/v1/events/gps/registrations", json=_new(), headers=_auth(olga_token)
    )
    assert response.get_json()["status"] == "waitlisted"
    assert response.get_json()["waitlist_position"] == 1


def test_bad_fields_are_a_422_problem_with_pointers(client, make_event, olga_token):
    make_event("gps")
    response = client.post(
        "/api/v1/events/gps/registrations",
        json=_new(email="not an address", consent=None, colour="red"),
        headers={**_auth(olga_token), "Accept-Language": "fr"},
    )
    assert response.status_code == 422
    assert response.mimetype == PROBLEM
    errors = {e["pointer"]: e["detail"] for e in response.get_json()["errors"]}
    assert set(errors) == {"/email", "/consent", "/colour"}
    assert errors["/email"] == "Saisissez une adresse e-mail de la forme nom@exemple.org."


def test_a_body_that_is_not_an_object_is_400(client, make_event, olga_token):
    make_event("gps")
    response = client.post(
        "/api/v1/events/gps/registrations",
        data="[1]",
        content_type="application/json",
        headers=_auth(olga_token),
    )
    assert response.status_code == 400 and response.mimetype == PROBLEM


def test_a_closed_event_is_409(client, make_event, olga_token):
    make_event("gps", status=EventStatus.CANCELLED)
    response = client.post(
        "/api/v1/events/gps/registrations", json=_new(), headers=_auth(olga_token)
    )
    assert response.status_code == 409
    assert response.get_json()["detail"] == "This event has been cancelled."


def test_cancel_moves_the_waitlist_up(client, make_event, make_registration, olga_token):
    event = make_event("gps", capacity=1)
    first = make_registration(event)
    second = make_registration(event)
    response = client.post(
        f"/api/v1/events/gps/registrations/{first.id}/cancel", headers=_auth(olga_token)
    )
    assert response.status_code == 200
    assert response.get_json()["status"] == "cancelled"
    db.session.expire_all()
    assert db.session.get(type(second), second.id).status == RegistrationStatus.CONFIRMED
    assert len(pending(MessageKind.REGISTRATION_CANCELLED)) == 1
    other = client.post(
        f"/api/v1/events/gps/registrations/{second.id + 99}/cancel", headers=_auth(olga_token)
    )
    assert other.status_code == 404


# --- rate limits -------------------------------------------------------------------------------


@pytest.fixture
def limited(app):
    app.config.update(
        RATELIMIT_ENABLED=True,
        RATELIMIT_STORAGE_URI="memory://",
        API_RATELIMIT_TOKEN="3 per minute",
        API_RATELIMIT_ANONYMOUS="2 per minute",
    )
    from eventsvc.extensions import limiter

    limiter.init_app(app)
    yield app
    limiter.reset()


def test_rate_limits_count_per_token(limited, client, make_event, organiser_account):
    make_event("gps")
    one, two = _token(organiser_account, "read"), _token(organiser_account, "read")
    url = "/api/v1/events/gps/registrations"
    assert [client.get(url, headers=_auth(one)).status_code for _ in range(4)] == [200] * 3 + [429]
    refused = client.get(url, headers=_auth(one))
    assert refused.mimetype == PROBLEM and "Retry-After" in refused.headers
    assert client.get(url, headers=_auth(two)).status_code == 200
    anonymous = [client.get("/api/v1/events").status_code for _ in range(3)]
    assert anonymous == [200, 200, 429]
    made_up = client.get("/api/v1/events", headers=_auth("evs_made-up"))
    assert made_up.status_code == 429  # a made-up token counts against the address
