"""Sessions the server can end: a copied session cookie stops working after sign-out, a new
password, deactivation, a role change or "sign out everywhere", and after the idle and absolute
timeouts."""

from datetime import timedelta

import pytest

from eventsvc.extensions import db
from tests.factories import PASSWORD, sign_in


def copy_of(app, client):
    """Another browser holding the same session cookie (stolen, or left on a shared computer)."""
    thief = app.test_client()
    thief.set_cookie("session", client.get_cookie("session").value)
    assert thief.get("/organiser/").status_code == 200
    return thief


def signed_out(client) -> bool:
    response = client.get("/organiser/")
    return response.status_code == 302 and "/organiser/login" in response.headers["Location"]


def test_sign_out_ends_a_copy_of_the_session(app, organiser):
    thief = copy_of(app, organiser)

    organiser.post("/organiser/logout")

    assert signed_out(thief)


def test_a_password_reset_on_the_command_line_ends_every_session(
    app, organiser, organiser_account, runner
):
    thief = copy_of(app, organiser)

    result = runner.invoke(
        args=["create-organiser", organiser_account.email, "--reset", "--password-stdin"],
        input="a brand new passphrase\n",
    )

    assert result.exit_code == 0, result.output
    assert signed_out(thief)
    assert signed_out(organiser)


def test_deactivating_then_reactivating_does_not_revive_old_sessions(
    app, admin, organiser, organiser_account
):
    thief = copy_of(app, organiser)

    admin.post(f"/organiser/organisers/{organiser_account.id}/deactivate")
    admin.post(f"/organiser/organisers/{organiser_account.id}/activate")

    assert signed_out(thief)


def test_a_role_change_ends_the_sessions_of_that_account(app, admin, organiser, organiser_account):
    thief = copy_of(app, organiser)

    admin.post(f"/organiser/organisers/{organiser_account.id}/role", data={"role": "admin"})

    assert signed_out(thief)
    assert admin.get("/organiser/").status_code == 200


def test_sign_out_everywhere_keeps_only_this_session(app, organiser):
    thief = copy_of(app, organiser)
    other_device = app.test_client()
    sign_in(other_device, "olga@example.org")

    response = organiser.post("/organiser/account/sign-out-everywhere")

    assert response.status_code == 302
    assert signed_out(thief)
    assert signed_out(other_device)
    assert organiser.get("/organiser/").status_code == 200


def test_changing_ones_password_ends_the_other_sessions(app, organiser):
    thief = copy_of(app, organiser)

    response = organiser.post(
        "/organiser/account/password",
        data={
            "current_password": PASSWORD,
            "password": "a brand new passphrase",
            "password_again": "a brand new passphrase",
        },
    )

    assert response.status_code == 302
    assert signed_out(thief)
    assert organiser.get("/organiser/").status_code == 200


def test_changing_ones_password_needs_the_current_one(organiser, organiser_account):
    response = organiser.post(
        "/organiser/account/password",
        data={
            "current_password": "not it",
            "password": "a brand new passphrase",
            "password_again": "a brand new passphrase",
        },
    )

    assert response.status_code == 422
    assert "The current password is not right." in response.text
    db.session.refresh(organiser_account)
    assert organiser_account.check_password(PASSWORD)


def test_idle_session_ends_after_the_idle_timeout(organiser, frozen_clock):
    frozen_clock.advance(timedelta(hours=7, minutes=59))
    assert organiser.get("/organiser/").status_code == 200  # used: the idle time starts again
    frozen_clock.advance(timedelta(hours=7, minutes=59))
    assert organiser.get("/organiser/").status_code == 200

    frozen_clock.advance(timedelta(hours=8, seconds=1))

    assert signed_out(organiser)


def test_session_ends_after_the_absolute_timeout_even_when_used(organiser, frozen_clock):
    for _ in range(42):  # 42 × 7 h 59 min: used all along, and 13 days 23 h 18 min in
        assert organiser.get("/organiser/").status_code == 200
        frozen_clock.advance(timedelta(hours=7, minutes=59))
    assert organiser.get("/organiser/").status_code == 200
    frozen_clock.advance(timedelta(hours=1))

    assert signed_out(organiser)


class TestConfiguredTimeouts:
    @pytest.fixture
    def app_config(self):
        return {"SESSION_IDLE_TIMEOUT": 600, "SESSION_ABSOLUTE_TIMEOUT": 3600}

    def test_timeouts_follow_the_settings(self, organiser, frozen_clock):
        frozen_clock.advance(timedelta(minutes=11))
        assert signed_out(organiser)

    def test_absolute_timeout_follows_the_setting(self, organiser, frozen_clock):
        for _ in range(7):
            frozen_clock.advance(timedelta(minutes=9))
            organiser.get("/organiser/")
        assert signed_out(organiser)


def test_account_page_offers_sign_out_everywhere(organiser):
    page = organiser.get("/organiser/account").text

    assert "/organiser/account/sign-out-everywhere" in page
    assert "Sign out everywhere else" in page


def test_an_old_style_session_id_is_not_accepted(app, organiser_account):
    """Cookies from before generations (the bare id) no longer sign anyone in."""
    client = app.test_client()
    with client.session_transaction() as session:
        session["_user_id"] = str(organiser_account.id)
        session["signed_in_at"] = session["seen_at"] = 0
    assert signed_out(client)
