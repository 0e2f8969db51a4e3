"""With rate limits on, sign-in posts are limited per client address, and addresses without an
account are throttled like real ones (so the answers never tell whether an account exists)."""

import pytest

from tests.factories import sign_in


@pytest.fixture
def app_config():
    return {"RATELIMIT_ENABLED": True, "RATELIMIT_LOGIN": "3 per minute"}


def test_too_many_sign_in_posts_from_one_address_get_429(client, organiser_account):
    for _ in range(3):
        assert sign_in(client, organiser_account.email, "wrong").status_code == 200

    assert sign_in(client, organiser_account.email, "wrong").status_code == 429
    assert client.get("/organiser/login").status_code == 200


class TestUnknownAddresses:
    @pytest.fixture
    def app_config(self):
        return {"RATELIMIT_ENABLED": True, "RATELIMIT_LOGIN": "100 per minute"}

    def test_unknown_address_is_throttled_like_an_account(self, client, organiser_account):
        def answers(email):
            return [sign_in(client, email, "wrong").text for _ in range(6)]

        for email in (organiser_account.email, "ghost@example.org"):
            replies = answers(email)
            assert all("not right" in reply for reply in replies[:5]), email
            assert "Too many attempts, try again in 15 minutes." in replies[5], email
