"""One ``safe_next`` for the whole app; no query string makes any page fail; absolute links
come from PUBLIC_BASE_URL, never from the request's Host header."""

from urllib.parse import quote

import pytest
from bs4 import BeautifulSoup
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from eventsvc.models import Role
from eventsvc.services.organisers import NewOrganiser, create_organiser
from eventsvc.services.tokens import make_token
from eventsvc.unit_of_work import unit_of_work
from eventsvc.urls import safe_next
from tests.factories import PASSWORD, sign_in


@pytest.fixture
def organiser_account(app):
    with unit_of_work():
        return create_organiser(
            NewOrganiser(email="ada@example.org", password=PASSWORD, name="Ada")
        )


@pytest.fixture
def admin_account(app):
    account = NewOrganiser(email="al@example.org", password=PASSWORD, name="Al", role=Role.ADMIN)
    with unit_of_work():
        return create_organiser(account)


OFFSITE = [
    "//evil.example",
    "/\t/evil.example",
    "/\n/evil.example",
    "/\r\n/evil.example",
    "\t//evil.example",
    "/\\evil.example",
    "\\\\evil.example",
    "/\\/evil.example",
    "https://evil.example/",
    "http:/evil.example",
    "javascript:alert(1)",
    " //evil.example",
    "/ok\r\nSet-Cookie: x=1",
    "evil.example",
]


@pytest.mark.parametrize("target", OFFSITE)
def test_safe_next_refuses_every_offsite_variant(target):
    assert safe_next(target) is None


@pytest.mark.parametrize("target", ["/", "/fr/events/gps?x=1#a", "/organiser/events/%2F%2Fx"])
def test_safe_next_keeps_paths_on_this_site(target):
    assert safe_next(target) == target


@pytest.mark.parametrize("target", OFFSITE)
def test_the_locale_switch_never_redirects_offsite(client, target):
    response = client.get(f"/locale/fr?next={quote(target, safe='')}")
    assert response.status_code == 302
    assert response.headers["Location"] == "/"


def test_the_encoded_tab_of_the_review_is_refused(client):
    response = client.get("/locale/en?next=/%09/evil.example")
    assert response.headers["Location"] == "/"


def test_the_locale_switch_keeps_a_path_on_this_site(client):
    response = client.get("/locale/fr?next=/organiser/events")
    assert response.headers["Location"] == "/organiser/events"


@pytest.mark.parametrize("target", OFFSITE)
def test_sign_in_never_redirects_offsite(client, organiser_account, target):
    response = client.post(
        f"/organiser/login?next={quote(target, safe='')}",
        data={"email": organiser_account.email, "password": PASSWORD},
    )
    assert response.status_code == 302
    assert response.headers["Location"] == "/organiser/"


# --- no 500 for any query string ------------------------------------------------------------

NAMES = [
    "lang",
    "slug",
    "token",
    "registration_id",
    "organiser_id",
    "_anchor",
    "_external",
    "_scheme",
    "_method",
    "endpoint",
    "values",
    "page",
    "next",
    "status",
    "sep",
    "table",
    "q",
    "filename",
]
VALUES = st.one_of(
    st.sampled_from(
        [
            "fr",
            "x",
            "",
            "1",
            "-1",
            "9" * 400,
            "1e309",
            "\r\nX: y",
            "/\t/evil.example",
            "%",
            "%00",
            "é",
            "http://evil.example",
        ]
    ),
    st.text(alphabet=st.characters(codec="utf-8", exclude_characters="\x00"), max_size=40),
)
QUERIES = st.lists(
    st.tuples(st.one_of(st.sampled_from(NAMES), st.text(max_size=10)), VALUES), max_size=4
)
FUZZ = settings(
    max_examples=25,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)


@pytest.fixture
def get_pages(app, make_event, make_registration, make_partner, admin_account):
    """Every GET route of the app with real values for its arguments."""
    event = make_event(slug="gps")
    registration = make_registration(event)
    values = {
        "lang": "en",
        "slug": event.slug,
        "token": make_token(registration),
        "registration_id": registration.id,
        "organiser_id": admin_account.id,
        "partner_id": make_partner().id,
        "filename": "css/site.css",
        "code": "ABCDEFGHJKMNPQRS",  # a certificate code nobody has
    }
    paths = []
    for rule in app.url_map.iter_rules():
        if "GET" not in rule.methods:
            continue
        path = rule.rule
        for name in rule.arguments:
            path = path.replace(f"<{name}>", str(values[name]))
            for converter in ("int", "path"):
                path = path.replace(f"<{converter}:{name}>", str(values[name]))
        paths.append(path)
    return paths


def _query(pairs) -> str:
    return "&".join(f"{quote(name, safe='')}={quote(value, safe='')}" for name, value in pairs)


@pytest.mark.slow
@FUZZ
@given(pairs=QUERIES)
def test_no_query_string_makes_any_page_fail(app, get_pages, admin_account, pairs):
    anonymous, signed_in = app.test_client(), app.test_client()
    sign_in(signed_in, admin_account.email)
    query = _query(pairs)
    for path in get_pages:
        for client in (anonymous, signed_in):
            response = client.get(f"{path}?{query}")
            assert response.status_code < 500, (path, query, response.status_code)


@pytest.mark.parametrize(
    "query", ["lang=fr", "slug=x", "_anchor=x", "_external=1", "page=" + "9" * 5000, "next=%0d%0a"]
)
@pytest.mark.parametrize("path", ["/en/", "/fr/events/gps", "/en/privacy", "/en/events/gps/thanks"])
def test_the_reviews_query_strings_do_not_fail_public_pages(client, make_event, path, query):
    make_event(slug="gps")
    response = client.get(f"{path}?{query}")
    assert response.status_code == 200


def test_the_language_switch_keeps_the_query_string(client, make_event):
    make_event(slug="gps")
    page = BeautifulSoup(client.get("/en/events/gps?lang=fr&x=1").text, "html.parser")
    hrefs = [a["href"] for a in page.select("a[hreflang], a[lang]") if "/fr/" in a["href"]]
    assert "/fr/events/gps?lang=fr&x=1" in hrefs


# --- absolute links ---------------------------------------------------------------------------


def test_absolute_links_on_public_pages_ignore_a_forged_host(client, make_event):
    make_event(slug="gps")
    for path in ("/en/", "/en/events/gps"):
        html = client.get(path, headers={"Host": "evil.example"}).get_data(as_text=True)
        page = BeautifulSoup(html, "html.parser")
        links = [tag["href"] for tag in page.select("link[hreflang]")]
        links += [tag["content"] for tag in page.select('meta[property="og:url"]')]
        links += [a["href"] for a in page.select("a[href^='https://calendar.google.com']")]
        assert links, path
        assert "evil.example" not in html
        assert all("events.test" in link for link in links), links


HUGE = "9" * 30  # past any 64-bit integer: SQLite cannot even compare it


@pytest.mark.parametrize(
    "path",
    [
        f"/en/partners/{HUGE}/logo",
        f"/en/partners/{2**63}/logo",
        f"/en/partners/{2**31}/logo",
        f"/organiser/events/gps-launch/registrations/{HUGE}/cancel",
        f"/organiser/partners/{HUGE}/edit",
    ],
)
def test_an_id_past_what_a_database_holds_is_not_found(client, admin_account, make_event, path):
    """Found by the fuzz test above (a thirty-digit ``?page=``): every ``<int:…>`` in a route
    stops at the largest id a row can have (``eventsvc/row_ids.py``)."""
    make_event()
    sign_in(client, admin_account.email)
    assert client.get(path).status_code == 404


def test_the_largest_id_a_row_can_have_is_still_looked_up(client, make_event):
    assert client.get(f"/en/partners/{2**31 - 1}/logo").status_code == 404


def test_ids_past_what_a_database_holds_are_left_out_of_a_form(app):
    from werkzeug.datastructures import MultiDict

    from eventsvc.row_ids import row_id

    form = MultiDict([("registration", "3"), ("registration", str(2**31)), ("registration", HUGE)])
    assert form.getlist("registration", type=row_id) == [3]
    assert form.get("template", type=row_id) is None
