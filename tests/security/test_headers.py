"""Every response carries the security headers; HTTPS adds HSTS and Secure cookies."""

import re
from pathlib import Path

import pytest


def _csp(response) -> dict[str, list[str]]:
    directives = {}
    for part in response.headers["Content-Security-Policy"].split(";"):
        name, *values = part.split()
        directives[name] = values
    return directives


@pytest.mark.parametrize(
    "path",
    ["/", "/en/", "/fr/", "/fr/no-such-page", "/healthz", "/static/css/site.css"],
)
def test_every_response_carries_the_security_headers(client, path):
    response = client.get(path)
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["Referrer-Policy"] == "strict-origin-when-cross-origin"
    assert response.headers["X-Frame-Options"] == "DENY"
    assert "camera=()" in response.headers["Permissions-Policy"]
    assert _csp(response)["frame-ancestors"] == ["'none'"]


def test_content_security_policy_allows_no_inline_script_or_style(client):
    csp = _csp(client.get("/en/"))
    assert csp["default-src"] == ["'self'"]
    assert csp["script-src"] == ["'self'"]
    assert csp["style-src"] == ["'self'"]
    assert csp["img-src"] == ["'self'", "data:"]
    assert csp["form-action"] == ["'self'"]
    assert csp["base-uri"] == ["'self'"]
    assert csp["object-src"] == ["'none'"]


def test_event_page_has_no_inline_script_the_policy_would_block(client, make_event):
    event = make_event()
    html = client.get(f"/en/events/{event.slug}").get_data(as_text=True)
    assert "<script>" not in html.replace(" ", "")
    assert " onclick=" not in html and " onload=" not in html
    assert ' style="' not in html


def test_plain_http_sends_no_hsts_and_no_secure_cookie(client):
    response = client.get("/locale/fr?next=/organiser/")
    assert "Strict-Transport-Security" not in response.headers
    cookie = response.headers["Set-Cookie"]
    assert "HttpOnly" in cookie
    assert "Secure" not in cookie


class TestBehindHttps:
    @pytest.fixture
    def app_config(self):
        return {"HTTPS": True}

    def test_hsts_is_sent(self, client):
        hsts = client.get("/en/").headers["Strict-Transport-Security"]
        assert hsts.startswith("max-age=") and int(hsts.split("=")[1]) >= 180 * 24 * 3600

    def test_session_cookie_is_secure_and_http_only(self, client):
        response = client.get("/locale/fr?next=/organiser/")
        cookie = response.headers["Set-Cookie"]
        attributes = {item.strip().split("=")[0].lower() for item in cookie.split(";")}
        assert {"secure", "httponly"} <= attributes
        assert "samesite" in attributes


def test_an_https_base_url_turns_on_secure_cookies(app_factory):
    app = app_factory(PUBLIC_BASE_URL="https://events.example.org")
    assert app.config["SESSION_COOKIE_SECURE"] is True
    assert app.config["PREFERRED_URL_SCHEME"] == "https"


INLINE_CODE = re.compile(
    r"<script(?![^>]*\bsrc=)(?![^>]*type=\"application/ld\+json\")[^>]*>"
    r"|\sstyle=|\son[a-z]+=|javascript:|<style",
    re.IGNORECASE,
)


def test_no_page_template_holds_code_the_policy_would_block():
    """Inline scripts, styles and handlers would be blocked by the CSP: none may exist.

    Email templates are exempt: mail clients need inline styles and no CSP applies there. A
    JSON-LD data block (``<script type="application/ld+json">``, schema.org for search engines)
    is data, never run, so the policy does not apply to it.
    """
    templates = Path(__file__).resolve().parents[2] / "templates"
    offenders = [
        f"{path.relative_to(templates)}: {match.group(0).strip()}"
        for path in templates.rglob("*.html")
        if "email" not in path.relative_to(templates).parts
        for match in INLINE_CODE.finditer(path.read_text())
    ]
    assert offenders == []
