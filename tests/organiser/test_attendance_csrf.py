"""With CSRF on, as in production: a report larger than the site's 256 KiB body limit is
accepted by the upload (its own limit), and still refused without a token."""

import io

import pytest

from tests.factories import csrf_token_of, register_someone, sign_in_with_token

BASE = "/organiser/events/gps-launch/attendance"


@pytest.fixture
def app_config():
    return {"WTF_CSRF_ENABLED": True}


def _report(count: int) -> bytes:
    lines = [f"person{n}@example.org,{30 + n % 40}" for n in range(count)]
    return ("email,minutes\n" + "\n".join(lines) + "\n").encode()


def test_a_large_report_with_a_token_is_imported_and_without_refused(
    client, organiser_account, make_event
):
    event = make_event(slug="gps-launch")
    register_someone(event, email="person1@example.org")
    sign_in_with_token(client, organiser_account.email)
    content = _report(20_000)
    assert len(content) > 256 * 1024  # over MAX_CONTENT_LENGTH
    data = {"format": "", "timezone": "Europe/Paris"}

    refused = client.post(
        f"{BASE}/upload",
        data={**data, "report": (io.BytesIO(content), "r.csv")},
        content_type="multipart/form-data",
    )
    assert refused.status_code == 400

    token = csrf_token_of(client.get(f"{BASE}/upload").text)
    accepted = client.post(
        f"{BASE}/upload",
        data={**data, "csrf_token": token, "report": (io.BytesIO(content), "r.csv")},
        content_type="multipart/form-data",
    )
    assert accepted.status_code == 303
    assert "1 rows matched, 19999 unmatched" in client.get(accepted.headers["Location"]).text


def test_other_workspace_forms_keep_the_site_limit(client, organiser_account, make_event):
    make_event(slug="gps-launch")
    sign_in_with_token(client, organiser_account.email)
    response = client.post(
        f"{BASE}/rule", data={"minutes": "1" * (300 * 1024)}, content_type="multipart/form-data"
    )
    assert response.status_code == 413
