"""Access control for every route of the organiser workspace, present and future.

The routes are read from the app's URL map, so pages added by anyone to the ``organiser``
blueprint are covered without editing this file.
"""

import pytest

from eventsvc.organiser.access import OPEN_ENDPOINTS, is_admin_only

SECRET_EMAIL = "secret.person@example.org"
SECRET_NAME = "Zacharie Secretname"


@pytest.fixture
def populated(make_event, make_registration, make_partner, organiser_account):
    partner = make_partner("ISSA")
    event = make_event(slug="gps-launch", title={"en": "Hidden launch", "fr": "Lancement caché"})
    registration = make_registration(event, email=SECRET_EMAIL, full_name=SECRET_NAME)
    return {
        "slug": event.slug,
        "lang": "en",
        "registration_id": registration.id,
        "organiser_id": organiser_account.id,
        "partner_id": partner.id,
    }


def organiser_routes(app, values):
    """(endpoint, url, methods) for every organiser route, arguments filled from ``values``."""
    adapter = app.url_map.bind("localhost")
    routes = []
    for rule in app.url_map.iter_rules():
        if not rule.endpoint.startswith("organiser."):
            continue
        arguments = {name: values.get(name, 1) for name in rule.arguments}
        url = adapter.build(rule.endpoint, arguments)
        methods = sorted(rule.methods - {"HEAD", "OPTIONS"})
        routes.append((rule.endpoint, url, methods))
    return routes


def test_the_route_list_covers_the_whole_workspace(app, populated):
    endpoints = {endpoint for endpoint, _url, _methods in organiser_routes(app, populated)}

    assert {"organiser.dashboard", "organiser.new_event", "organiser.edit_event"} <= endpoints
    assert {"organiser.organiser_list", "organiser.login"} <= endpoints


def test_anonymous_visitors_are_sent_to_sign_in_and_get_no_data(app, client, populated):
    checked = 0
    for endpoint, url, methods in organiser_routes(app, populated):
        if endpoint in OPEN_ENDPOINTS:
            continue
        for method in methods:
            response = client.open(url, method=method, data={"email": "x@example.org"})
            where = f"{method} {url}"
            assert response.status_code == 302, where
            assert response.headers["Location"].startswith("/organiser/login"), where
            body = response.get_data(as_text=True)
            assert SECRET_EMAIL not in body and SECRET_NAME not in body, where
            assert "Hidden launch" not in body, where
            checked += 1
    assert checked >= 15


def test_signed_in_organisers_reach_the_pages(app, organiser, populated):
    for endpoint, url, methods in organiser_routes(app, populated):
        view = app.view_functions[endpoint]
        if "GET" not in methods or is_admin_only(view) or endpoint in OPEN_ENDPOINTS:
            continue
        response = organiser.get(url)
        response.get_data()  # drain streamed exports before the next request
        response.close()
        assert response.status_code in (200, 302), f"GET {url}: {response.status_code}"


def test_admin_only_routes_answer_403_to_plain_organisers(app, organiser, populated):
    admin_routes = [
        (url, methods)
        for endpoint, url, methods in organiser_routes(app, populated)
        if is_admin_only(app.view_functions[endpoint])
    ]
    assert len(admin_routes) >= 4
    for url, methods in admin_routes:
        for method in methods:
            assert organiser.open(url, method=method).status_code == 403, f"{method} {url}"


def test_admins_reach_the_admin_pages(admin):
    page = admin.get("/organiser/organisers")

    assert page.status_code == 200
    assert "ada@example.org" in page.text


def test_workspace_pages_are_not_cached(organiser, populated):
    response = organiser.get("/organiser/")

    assert response.headers["Cache-Control"] == "no-store"


def test_login_page_is_open(client):
    page = client.get("/organiser/login")

    assert page.status_code == 200
    assert 'name="email"' in page.text and 'name="password"' in page.text
