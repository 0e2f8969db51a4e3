"""Error pages speak the page's language and offer a way back."""

import pytest
from flask import abort

from tests.public.html import language_switch, page, text


@pytest.mark.parametrize("lang", ["en", "fr", "es"])
def test_unknown_address_under_a_locale_is_404_in_that_locale(client, lang):
    response = client.get(f"/{lang}/no/such/page")

    assert response.status_code == 404
    soup = page(response)
    assert soup.html["lang"] == lang
    assert soup.select_one(".error-page a.button")["href"] == f"/{lang}/"
    others = [code for code in ("en", "fr", "es") if code != lang]
    assert language_switch(soup) == {code: f"/{code}/no/such/page" for code in others}


def test_unknown_event_is_404_in_the_page_locale(client):
    response = client.get("/fr/events/nothing")

    assert response.status_code == 404
    assert page(response).html["lang"] == "fr"


def test_404_outside_the_locale_prefix_uses_the_browser_language(client):
    response = client.get("/wp-admin/setup.php", headers={"Accept-Language": "fr-FR,fr;q=0.9"})

    assert response.status_code == 404
    assert page(response).html["lang"] == "fr"


@pytest.fixture
def failing_routes(app):
    app.config["PROPAGATE_EXCEPTIONS"] = False

    @app.get("/<lang>/test-boom")
    def boom(lang):
        raise RuntimeError("boom")

    @app.get("/<lang>/test-forbidden")
    def forbidden(lang):
        abort(403)

    @app.get("/<lang>/test-bad")
    def bad(lang):
        abort(400)

    return app


@pytest.mark.parametrize(
    ("path", "status", "heading"),
    [
        ("test-boom", 500, "Something went wrong on our side"),
        ("test-forbidden", 403, "You cannot open this page"),
        ("test-bad", 400, "The request could not be understood"),
    ],
)
@pytest.mark.parametrize("lang", ["en", "fr", "es"])
def test_error_pages_in_each_locale(failing_routes, client, path, status, heading, lang):
    response = client.get(f"/{lang}/{path}")

    assert response.status_code == status
    soup = page(response)
    assert soup.html["lang"] == lang
    assert soup.select_one(".error-page a.button")["href"] == f"/{lang}/"
    if lang == "en":
        assert text(soup.h1) == heading
