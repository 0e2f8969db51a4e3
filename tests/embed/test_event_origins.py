"""An event's own list of sites allowed to frame its embed pages (issue 19: "per event where
set"): it replaces EMBED_ALLOWED_ORIGINS on that event's embed pages only; set in the editor and
the import file; anything but ``scheme://host[:port]`` is refused on its field."""

import pytest
from sqlalchemy import select

from eventsvc.extensions import db
from eventsvc.models import Event
from eventsvc.services import events
from eventsvc.services.importer import import_events
from eventsvc.services.inputs.event import EventData, validate
from eventsvc.unit_of_work import unit_of_work
from tests.factories import as_json, document, gps_launch_data
from tests.organiser.test_events import edit_form_of

SITE = "https://partner.example.org"


@pytest.fixture
def app_config():
    return {"EMBED_ALLOWED_ORIGINS": SITE}


def ancestors(response) -> str:
    policy = response.headers["Content-Security-Policy"]
    [directive] = [d.strip() for d in policy.split(";") if "frame-ancestors" in d]
    return directive


def with_origins(make_event, slug, origins) -> Event:
    event = make_event(slug=slug)
    event.embed_origins = origins
    db.session.commit()
    return event


def test_an_event_with_its_own_list_is_framed_by_those_sites_only(client, make_event):
    with_origins(make_event, "gps", ["https://www.ecdan.org", "http://127.0.0.1:8123"])
    make_event(slug="other")

    own = client.get("/embed/fr/events/gps")
    other = client.get("/embed/fr/events/other")
    listing = client.get("/embed/fr/events")
    public = client.get("/fr/events/gps")

    assert own.status_code == 200
    assert ancestors(own) == "frame-ancestors https://www.ecdan.org http://127.0.0.1:8123"
    assert 'data-embed-origins="https://www.ecdan.org http://127.0.0.1:8123"' in own.text
    assert "X-Frame-Options" not in own.headers
    assert ancestors(other) == f"frame-ancestors {SITE}"  # without its own list: the site's
    assert ancestors(listing) == f"frame-ancestors {SITE}"
    assert ancestors(public) == "frame-ancestors 'none'"
    assert public.headers["X-Frame-Options"] == "DENY"


def test_the_event_s_list_holds_on_its_form_posts_and_confirmation(client, make_event):
    with_origins(make_event, "gps", ["https://www.ecdan.org"])

    refused = client.post("/embed/fr/events/gps/register", data={"email": "a@example.org"})
    gone = client.get("/embed/fr/events/gps/done?t=forged")

    assert refused.status_code == 400
    assert ancestors(refused) == "frame-ancestors https://www.ecdan.org"
    assert gone.status_code == 303
    assert ancestors(gone) == "frame-ancestors https://www.ecdan.org"


def test_the_organiser_sets_the_list_in_the_editor(organiser, make_event):
    event = make_event(slug="gps-launch")
    form = edit_form_of(
        event, embed_origins="https://WWW.ecdan.org/\n\nhttp://localhost:8080 https://ecdan.org"
    )

    response = organiser.post("/organiser/events/gps-launch/edit", data=form)

    assert response.status_code == 302, response.text
    db.session.expire_all()
    stored = db.session.scalar(select(Event).where(Event.slug == "gps-launch"))
    assert stored.embed_origins == [
        "https://www.ecdan.org",
        "http://localhost:8080",
        "https://ecdan.org",
    ]
    page = organiser.get("/organiser/events/gps-launch").text
    assert 'id="embed-origins"' in page and "https://www.ecdan.org, http://localhost:8080" in page
    editor = organiser.get("/organiser/events/gps-launch/edit").text
    assert "https://www.ecdan.org\nhttp://localhost:8080\nhttps://ecdan.org</textarea>" in editor

    cleared = organiser.post(
        "/organiser/events/gps-launch/edit", data=edit_form_of(event, embed_origins="")
    )
    assert cleared.status_code == 302
    db.session.expire_all()
    assert db.session.get(Event, event.id).embed_origins == []


@pytest.mark.parametrize(
    "bad",
    [
        "https://www.ecdan.org/events",
        "ftp://www.ecdan.org",
        "javascript:alert(1)",
        "www.ecdan.org",
        "https://www.ecdan.org?x=1",
        "https://user@www.ecdan.org",
        "https://www.ecdan.org:99999",
        "https://a.org;script-src",
        "'self'",
    ],
)
def test_a_bad_origin_is_refused_on_its_field_in_the_page_s_language(organiser, make_event, bad):
    event = make_event(slug="gps-launch")
    form = edit_form_of(event, embed_origins=f"https://ok.example.org\n{bad}")

    response = organiser.post(
        "/organiser/events/gps-launch/edit", data=form, headers={"Accept-Language": "fr"}
    )

    assert response.status_code == 422
    html = response.text
    error = html[html.index('<ul class="errors" id="embed_origins-error">') :]
    error = error[: error.index("</ul>")]
    assert "n’est pas l’adresse d’un site\u00a0:" in error
    assert "ok.example.org" not in error  # only the bad line is named
    assert "https://ok.example.org" in response.text  # what was typed is kept
    db.session.expire_all()
    assert db.session.get(Event, event.id).embed_origins == []


def test_the_service_checks_the_list_and_its_length(app):
    assert validate(gps_launch_data(embed_origins=["https://a.org", "https://a.org/"])) == {}
    errors = validate(gps_launch_data(embed_origins=["https://a.org/path"]))
    assert list(errors) == ["embed_origins"]
    many = [f"https://s{n}.example.org" for n in range(21)]
    assert "embed_origins" in validate(gps_launch_data(embed_origins=many))


def test_the_import_file_carries_the_list_and_a_copy_keeps_it(app):
    with unit_of_work():
        import_events(as_json(document(embed_origins=["https://www.ecdan.org"])))
    event = db.session.scalar(select(Event).where(Event.slug == "gps-ecce-launch"))
    assert event.embed_origins == ["https://www.ecdan.org"]
    assert EventData.from_event(event).embed_origins == ["https://www.ecdan.org"]

    with unit_of_work():
        copy = events.duplicate_event(event)
    assert copy.embed_origins == ["https://www.ecdan.org"]


def test_a_bad_origin_in_the_import_file_is_reported_by_path(app):
    from eventsvc.services.importer import ImportFailed

    with pytest.raises(ImportFailed) as failure, unit_of_work():
        import_events(as_json(document(embed_origins=["https://www.ecdan.org/wp"])))

    problems = [str(problem) for problem in failure.value.problems]
    assert any(p.startswith("events[0].embed_origins: ") for p in problems), problems
    assert db.session.scalar(select(Event.id)) is None
