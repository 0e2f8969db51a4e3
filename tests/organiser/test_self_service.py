"""Self-service: "forgot your password?", invitations by mail, and the password rules."""

import re
from datetime import timedelta
from urllib.parse import urlsplit

import pytest
from sqlalchemy import select

from eventsvc.extensions import db
from eventsvc.mail.dispatcher import dispatch_due
from eventsvc.models import MessageKind, Organiser, OutboxMessage
from eventsvc.services import organisers
from eventsvc.unit_of_work import unit_of_work
from tests.factories import PASSWORD, sign_in

NEW = "a brand new passphrase"


def link_in(mail) -> str:
    text = mail.get_body(("plain",)).get_content()
    match = re.search(r"http://events\.test(/organiser/password/choose/\S+)", text)
    assert match, text
    return match.group(1)


def choose(client, path, password=NEW, again=None):
    return client.post(path, data={"password": password, "password_again": again or password})


def forgot(client, email):
    return client.post("/organiser/password/forgot", data={"email": email}, follow_redirects=True)


def test_login_page_offers_forgot_your_password(client):
    page = client.get("/organiser/login").text

    assert 'href="/organiser/password/forgot"' in page
    assert "Forgot your password?" in page


def test_forgot_password_answers_the_same_for_unknown_addresses(client, organiser_account):
    known = forgot(client, organiser_account.email)
    unknown = forgot(client, "ghost@example.org")

    def message(response):
        return re.sub(r"\S+@example\.org", "ADDRESS", response.text.split("<main", 1)[1])

    assert known.status_code == unknown.status_code == 200
    assert message(known) == message(unknown)
    kinds = db.session.scalars(select(OutboxMessage.kind)).all()
    assert kinds == [MessageKind.PASSWORD_RESET]


def test_reset_link_by_mail_sets_a_new_password_once(smtp_app, smtp, client, organiser_account):
    forgot(client, "Olga@Example.org")
    dispatch_due(batch_size=10)
    [mail] = smtp.messages
    assert mail["To"].addresses[0].addr_spec == organiser_account.email
    path = link_in(mail)

    assert choose(client, path).status_code == 302
    assert sign_in(client, organiser_account.email, NEW).status_code == 302
    assert sign_in(app_client(client), organiser_account.email, PASSWORD).status_code == 200

    again = client.get(path)
    assert again.status_code == 410
    assert "This link no longer works" in again.text


def app_client(client):
    return client.application.test_client()


def test_reset_link_expires(smtp_app, smtp, client, organiser_account, frozen_clock):
    with unit_of_work():
        organisers.request_password_reset(organiser_account.email)
    dispatch_due(batch_size=10)
    path = link_in(smtp.messages[0])

    frozen_clock.advance(timedelta(minutes=59))
    assert client.get(path).status_code == 200
    frozen_clock.advance(timedelta(minutes=1, seconds=1))
    assert client.get(path).status_code == 410


def test_the_password_page_never_passes_its_token_on(client, organiser_account):
    token = organisers.password_token(organiser_account, MessageKind.PASSWORD_RESET)

    response = client.get(f"/organiser/password/choose/{token}")

    assert response.status_code == 200
    assert response.headers["Referrer-Policy"] == "no-referrer"


def test_a_forged_link_opens_nothing(client, organiser_account):
    assert client.get("/organiser/password/choose/not-a-token").status_code == 410


def test_reset_refuses_a_weak_password_and_keeps_the_old_one(client, organiser_account):
    token = organisers.password_token(organiser_account, MessageKind.PASSWORD_RESET)

    response = choose(client, f"/organiser/password/choose/{token}", "password1234")

    assert response.status_code == 422
    assert "among the most common" in response.text
    db.session.refresh(organiser_account)
    assert organiser_account.check_password(PASSWORD)


@pytest.mark.parametrize(
    "weak", ["password1234", "Qwerty123456!", "qwertyqwerty", "iloveyou2026", "short one"]
)
def test_password_rules_refuse_short_and_common_passwords(app, weak):
    with pytest.raises(organisers.AccountError):
        organisers.check_password_strength(weak)


def test_password_rules_accept_a_long_uncommon_passphrase(app):
    organisers.check_password_strength("tangerine cobalt harbour")


def test_admin_invites_an_organiser_who_chooses_their_password(
    smtp_app, smtp, admin, client, admin_account
):
    response = admin.post(
        "/organiser/organisers",
        data={"email": "New@Example.org", "name": "New Person", "role": "organiser"},
    )
    assert response.status_code == 302
    invited = db.session.scalar(select(Organiser).where(Organiser.email == "new@example.org"))
    assert invited.password_hash == ""
    assert sign_in(client, "new@example.org", "").status_code == 200

    dispatch_due(batch_size=10)
    [mail] = smtp.to("new@example.org")
    assert mail["Subject"] == "Your invitation to the organiser workspace"
    path = link_in(mail)
    assert urlsplit(path).path.startswith("/organiser/password/choose/")

    assert choose(client, path).status_code == 302
    assert sign_in(client, "new@example.org", NEW).status_code == 302
    page = admin.get("/organiser/organisers").text
    assert "Organiser invited" in page


def test_admin_page_never_asks_for_the_new_organisers_password(admin):
    page = admin.get("/organiser/organisers").text

    assert 'autocomplete="new-password"' not in page
    assert "nobody else ever sees it" in page


def test_admin_sends_the_invitation_again(smtp_app, smtp, admin, admin_account):
    with unit_of_work():
        organisers.create_organiser(organisers.NewOrganiser(email="late@example.org"))
    late = organisers.find_by_email("late@example.org")
    assert "Send the invitation again" in admin.get("/organiser/organisers").text

    admin.post(f"/organiser/organisers/{late.id}/invitation")

    dispatch_due(batch_size=10)
    assert len(smtp.to("late@example.org")) == 2


def test_invitation_cannot_be_sent_to_an_account_with_a_password(admin, organiser_account):
    admin.post(f"/organiser/organisers/{organiser_account.id}/invitation")

    assert db.session.scalar(select(OutboxMessage.id)) is None


def test_create_organiser_invites_by_mail_by_default(runner):
    result = runner.invoke(args=["create-organiser", "cli@example.org", "--role", "admin"])

    assert result.exit_code == 0, result.output
    assert "Invited cli@example.org" in result.output
    message = db.session.scalar(select(OutboxMessage))
    assert message.kind == MessageKind.INVITATION


def test_create_organiser_refuses_a_common_password(runner):
    result = runner.invoke(
        args=["create-organiser", "weak@example.org", "--password-stdin"],
        input="password1234\n",
    )

    assert result.exit_code == 1
    assert "most common" in result.output
    assert organisers.find_by_email("weak@example.org") is None


def test_invitation_link_lasts_a_week(client, frozen_clock):
    with unit_of_work():
        invited = organisers.create_organiser(organisers.NewOrganiser(email="slow@example.org"))
    token = organisers.password_token(invited, MessageKind.INVITATION)

    frozen_clock.advance(timedelta(days=6, hours=23))
    assert organisers.organiser_for_token(token) is not None
    frozen_clock.advance(timedelta(hours=2))
    assert organisers.organiser_for_token(token) is None


def test_a_failed_invitation_shows_on_the_dashboard(smtp_app, smtp, admin):
    smtp.refuse("bounce@example.org")
    with unit_of_work():
        organisers.create_organiser(organisers.NewOrganiser(email="bounce@example.org"))
    dispatch_due(batch_size=10)

    page = admin.get("/organiser/")

    assert page.status_code == 200
    assert "bounce@example.org" in page.text
    assert "Organiser invitation" in page.text


def test_forgot_password_cannot_flood_the_owners_mailbox(client, organiser_account, frozen_clock):
    for _ in range(10):
        forgot(client, organiser_account.email)
    assert len(db.session.scalars(select(OutboxMessage)).all()) == 3

    frozen_clock.advance(timedelta(hours=1, seconds=1))
    forgot(client, organiser_account.email)
    assert len(db.session.scalars(select(OutboxMessage)).all()) == 4
