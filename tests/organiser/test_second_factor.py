"""Optional TOTP second factor with single-use recovery codes, and the setting to require it."""

import re
from datetime import timedelta

import pyotp
import pytest

from eventsvc import clock
from eventsvc.extensions import db
from eventsvc.models import Organiser
from eventsvc.services import second_factor
from eventsvc.unit_of_work import unit_of_work
from tests.factories import PASSWORD, sign_in


def set_up(client) -> tuple[str, list[str]]:
    """Turn the second factor on through the pages; the secret and the recovery codes."""
    page = client.get("/organiser/account/second-factor").text
    assert 'src="data:image/svg+xml' in page  # the QR code
    secret = re.search(r"<code>([A-Z2-7]{32})</code>", page).group(1)
    shown = client.post("/organiser/account/second-factor", data={"code": code_now(secret)})
    assert shown.status_code == 200, shown.text
    codes = re.findall(r"<code>([0-9a-f]{5}-[0-9a-f]{5})</code>", shown.text)
    assert len(codes) == second_factor.RECOVERY_CODE_COUNT
    clock.freeze(clock.now() + timedelta(seconds=30))  # the code typed at set-up is used up
    return secret, codes


def code_now(secret: str) -> str:
    """The code an authenticator app shows at the app's (frozen) time."""
    return pyotp.TOTP(secret).at(clock.now())


def code_step(client, code):
    return client.post("/organiser/login/code", data={"code": code})


def test_with_a_second_factor_the_password_alone_does_not_sign_in(
    app, organiser, organiser_account
):
    secret, _codes = set_up(organiser)
    browser = app.test_client()

    first = sign_in(browser, organiser_account.email)
    assert first.headers["Location"] == "/organiser/login/code"
    assert browser.get("/organiser/").status_code == 302

    assert "This code is not right." in code_step(browser, "000000").text
    assert code_step(browser, code_now(secret)).status_code == 302
    assert browser.get("/organiser/").status_code == 200


def test_a_totp_code_works_once(app, organiser, organiser_account, frozen_clock):
    secret, _codes = set_up(organiser)
    code = code_now(secret)
    first, second = app.test_client(), app.test_client()

    sign_in(first, organiser_account.email)
    assert code_step(first, code).status_code == 302
    sign_in(second, organiser_account.email)
    assert "This code is not right." in code_step(second, code).text

    frozen_clock.advance(timedelta(seconds=30))
    assert code_step(second, code_now(secret)).status_code == 302


@pytest.mark.parametrize("which", ["totp", "recovery"])
def test_a_code_replayed_by_a_request_already_under_way_is_refused(
    app, organiser, organiser_account, which
):
    """Two requests read the account, then both check the same code: only the first passes."""
    secret, codes = set_up(organiser)
    code = code_now(secret) if which == "totp" else codes[0]
    account_id = organiser_account.id
    db.session.remove()

    with app.app_context():
        late = db.session.get(Organiser, account_id)  # read before the other request's commit
        with app.app_context():
            with unit_of_work():
                assert second_factor.verify(db.session.get(Organiser, account_id), code)
            db.session.remove()
        with unit_of_work():
            assert not second_factor.verify(late, code)


def test_a_recovery_code_works_once(app, organiser, organiser_account):
    _secret, codes = set_up(organiser)
    db.session.refresh(organiser_account)
    assert codes[0] not in str(organiser_account.recovery_codes)  # stored hashed

    browser = app.test_client()
    sign_in(browser, organiser_account.email)
    assert code_step(browser, codes[0].upper()).status_code == 302
    browser.post("/organiser/logout")

    sign_in(browser, organiser_account.email)
    assert "This code is not right." in code_step(browser, codes[0]).text
    assert code_step(browser, codes[1]).status_code == 302


def test_a_wrong_setup_code_turns_nothing_on(organiser, organiser_account):
    organiser.get("/organiser/account/second-factor")
    response = organiser.post("/organiser/account/second-factor", data={"code": "123456"})

    assert response.status_code == 422
    db.session.refresh(organiser_account)
    assert not organiser_account.has_second_factor


def test_a_code_of_non_ascii_digits_is_refused_not_a_500(app, organiser, organiser_account):
    refused = organiser.post("/organiser/account/second-factor", data={"code": "¹²³⁴⁵⁶"})
    assert refused.status_code == 422
    set_up(organiser)
    browser = app.test_client()
    sign_in(browser, organiser_account.email)

    assert "This code is not right." in code_step(browser, "١٢٣٤٥٦").text
    assert "This code is not right." in code_step(browser, "¹²³⁴⁵⁶").text


def test_wrong_codes_count_as_failed_sign_ins(app, organiser, organiser_account):
    set_up(organiser)
    browser = app.test_client()
    sign_in(browser, organiser_account.email)
    for _ in range(5):
        code_step(browser, "000000")

    assert "Too many attempts" in code_step(browser, "000000").text


def test_knowing_the_password_does_not_allow_guessing_codes_without_end(
    app, organiser, organiser_account
):
    set_up(organiser)
    browser = app.test_client()
    for _ in range(3):
        sign_in(browser, organiser_account.email)
        code_step(browser, "000000")
        code_step(browser, "111111")

    sign_in(browser, organiser_account.email)
    assert "Too many attempts" in code_step(browser, "000000").text


def test_turning_it_off_needs_the_password(organiser, organiser_account):
    set_up(organiser)

    organiser.post("/organiser/account/second-factor/off", data={"password": "wrong"})
    db.session.refresh(organiser_account)
    assert organiser_account.has_second_factor

    organiser.post("/organiser/account/second-factor/off", data={"password": PASSWORD})
    db.session.refresh(organiser_account)
    assert not organiser_account.has_second_factor


def test_an_admin_turns_it_off_for_someone_who_lost_their_phone(
    app, admin, organiser, organiser_account
):
    set_up(organiser)

    admin.post(f"/organiser/organisers/{organiser_account.id}/second-factor/off")

    db.session.refresh(organiser_account)
    assert not organiser_account.has_second_factor
    assert sign_in(app.test_client(), organiser_account.email).status_code == 302


class TestRequired:
    @pytest.fixture
    def app_config(self):
        return {"REQUIRE_SECOND_FACTOR": True}

    def test_organisers_without_one_must_set_it_up_first(self, organiser):
        response = organiser.get("/organiser/events")
        assert response.headers["Location"] == "/organiser/account/second-factor"
        assert organiser.get("/organiser/account").status_code == 200

        set_up(organiser)

        assert organiser.get("/organiser/events").status_code == 200


def test_an_admin_requires_it_of_every_organiser_from_the_organisers_page(admin, organiser):
    refused = admin.post("/organiser/organisers/second-factor-required", data={"required": "1"})
    assert refused.status_code == 302
    assert organiser.get("/organiser/events").status_code == 200  # not without their own
    set_up(admin)
    assert "Require it of every organiser" in admin.get("/organiser/organisers").text

    admin.post("/organiser/organisers/second-factor-required", data={"required": "1"})

    response = organiser.get("/organiser/events")
    assert response.headers["Location"] == "/organiser/account/second-factor"
    page = admin.get("/organiser/organisers").text
    assert "Second factor required of every organiser" in page

    admin.post("/organiser/organisers/second-factor-required", data={"required": "0"})
    assert organiser.get("/organiser/events").status_code == 200


def test_plain_organisers_cannot_change_the_requirement(organiser):
    response = organiser.post(
        "/organiser/organisers/second-factor-required", data={"required": "1"}
    )

    assert response.status_code == 403
    assert organiser.get("/organiser/events").status_code == 200
