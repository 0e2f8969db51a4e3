import json
from datetime import UTC, datetime
from importlib.resources import files

import pytest
from markdown_it import MarkdownIt
from sqlalchemy import func, select

from eventsvc.extensions import db
from eventsvc.i18n import zone_abbreviation
from eventsvc.models import Event, EventStatus, Partner
from eventsvc.services.registrations import closed_reason
from tests.factories import GPS_LAUNCH, as_json, document

SEED_PARTNERS = {
    "OMEP",
    "UNESCO",
    "ECDAN",
    "GCE",
    "CLADE",
    "ECPC",
    "Eurochild",
    "ARNEC",
    "ChildPact",
}


def _count(model) -> int:
    return db.session.scalar(select(func.count()).select_from(model))


def _event(slug) -> Event:
    return db.session.scalar(select(Event).where(Event.slug == slug))


def _write(tmp_path, content: str, name="events.json"):
    path = tmp_path / name
    path.write_text(content, encoding="utf-8")
    return str(path)


def test_import_events_prints_a_summary_and_exits_0(runner, tmp_path):
    result = runner.invoke(args=["import-events", _write(tmp_path, as_json(document()))])
    assert result.exit_code == 0, result.output
    assert result.stdout.splitlines() == [
        "Partners: 2 created, 0 updated, 0 unchanged.",
        "Events: 1 created, 0 updated, 0 unchanged.",
    ]
    assert _event("gps-ecce-launch").starts_at == datetime(2026, 12, 6, 12, 30, tzinfo=UTC)


def test_import_events_reports_each_problem_on_its_own_line_and_exits_1(runner, tmp_path):
    events = [
        {**GPS_LAUNCH, "timezone": "Europe/Pariss"},
        {**GPS_LAUNCH, "slug": "second", "start": "2026-03-29T02:30", "end": "2026-03-29T04:00"},
        {**GPS_LAUNCH, "slug": "third", "registration_closes": "2026-12-06T15:00"},
    ]
    path = _write(tmp_path, as_json(document(events=events)))

    result = runner.invoke(args=["import-events", path])

    assert result.exit_code == 1
    lines = result.stderr.splitlines()
    assert lines[0].startswith("events[0].timezone: Unknown time zone “Europe/Pariss”")
    assert lines[1].startswith("events[1].start: 2026-03-29 02:30 does not exist")
    assert lines[2].startswith("events[2].registration_closes: Registration must close before")
    assert lines[-1] == "Error: Nothing was imported: the file has 3 problems."
    assert result.stdout == ""
    assert _count(Event) == 0
    assert _count(Partner) == 0


def test_import_events_reports_bad_json_with_line_and_column(runner, tmp_path):
    path = _write(tmp_path, '{"events": [\n  {"slug": "a",}\n]}')
    result = runner.invoke(args=["import-events", path])
    assert result.exit_code == 1
    assert result.stderr.splitlines()[0] == (
        "line 2, column 16: The file is not valid JSON: "
        "Expecting property name enclosed in double quotes."
    )
    assert "the file has 1 problem." in result.stderr


def test_import_events_check_validates_without_importing(runner, tmp_path):
    result = runner.invoke(args=["import-events", "--check", _write(tmp_path, as_json(document()))])
    assert result.exit_code == 0
    assert "valid" in result.stdout
    assert _count(Event) == 0


def test_import_events_refuses_a_missing_file(runner, tmp_path):
    result = runner.invoke(args=["import-events", str(tmp_path / "nope.json")])
    assert result.exit_code == 2
    assert _count(Event) == 0


def test_demo_data_loads_the_seed_partners_and_events(runner):
    result = runner.invoke(args=["demo-data"])
    assert result.exit_code == 0, result.output

    assert set(db.session.scalars(select(Partner.acronym))) == SEED_PARTNERS
    launch = _event("gps-ecce-launch")
    assert launch.status == EventStatus.PUBLISHED
    assert launch.starts_at == datetime(2026, 12, 6, 12, 30, tzinfo=UTC)
    assert launch.ends_at == datetime(2026, 12, 6, 13, 30, tzinfo=UTC)
    assert zone_abbreviation(launch.starts_at, launch.timezone) == "CET"
    assert [p.acronym for p in launch.partners] == ["OMEP", "UNESCO", "ECDAN"]
    assert launch.interpretation_languages == ["en", "fr"]
    assert launch.capacity == 500
    assert launch.online_url.startswith("https://meet.example.org/")


def test_demo_launch_description_lists_five_strategies_and_the_aims_in_both_languages(runner):
    runner.invoke(args=["demo-data"])
    launch = _event("gps-ecce-launch")
    for locale in ("en", "fr"):
        tokens = MarkdownIt().parse(launch.content(locale).description)
        lists = [t for t in tokens if t.type == "bullet_list_open"]
        items = [t for t in tokens if t.type == "list_item_open"]
        assert len(lists) == 2, locale
        assert len(items) == 5 + 4, locale


def test_demo_data_has_a_summer_event_a_past_event_and_a_small_one(runner):
    runner.invoke(args=["demo-data"])
    events = list(db.session.scalars(select(Event)))
    summer = [e for e in events if zone_abbreviation(e.starts_at, e.timezone) == "CEST"]
    assert summer
    assert any(e.is_past() for e in events)
    assert any(e.capacity is not None and e.capacity <= 5 for e in events)
    for event in events:
        for locale in ("en", "fr"):
            content = event.content(locale)
            assert content.locale == locale
            assert content.title and content.summary and content.description


class TestDemoOnASiteWithoutSpanish:
    @pytest.fixture
    def app_config(self):
        return {"SUPPORTED_LOCALES": ["en", "fr"]}

    def test_demo_data_loads_only_the_configured_languages_of_its_texts(self, runner):
        """A site in English and French only loads the demo's texts in those two."""
        result = runner.invoke(args=["demo-data"])
        assert result.exit_code == 0, result.output
        assert not [
            c for e in db.session.scalars(select(Event)) for c in e.contents if c.locale == "es"
        ]
        assert not [
            t
            for p in db.session.scalars(select(Partner))
            for t in p.translations
            if t.locale == "es"
        ]


class TestDemoInSpanish:
    """Spanish is an interface language by default: the demo loads its Spanish texts."""

    def test_every_demo_event_and_partner_has_its_spanish_texts(self, runner):
        result = runner.invoke(args=["demo-data"])
        assert result.exit_code == 0, result.output
        for event in db.session.scalars(select(Event)):
            content = event.content("es")
            assert content.locale == "es", event.slug
            assert content.title and content.summary and content.description
        for partner in db.session.scalars(select(Partner)):
            text = partner.text("es")
            assert text.locale == "es" and text.name and text.description, partner.acronym

    def test_the_latin_american_session_is_held_in_spanish_and_interpreted(self, runner):
        runner.invoke(args=["demo-data"])
        upcoming = [
            e
            for e in db.session.scalars(select(Event))
            if e.floor_language == "es" and not e.is_past()
        ]
        assert len(upcoming) == 1
        session = upcoming[0]
        assert session.status == EventStatus.PUBLISHED and closed_reason(session) is None
        assert session.interpreted_languages == ["en", "fr"]
        assert "CLADE" in [p.acronym for p in session.partners]
        tokens = MarkdownIt().parse(session.content("es").description)
        assert [t for t in tokens if t.type == "heading_open"]
        assert "interpretación simultánea" in session.content("es").description

    def test_the_spanish_home_page_lists_the_demo_in_spanish(self, runner, client):
        from bs4 import BeautifulSoup

        runner.invoke(args=["demo-data"])
        page = client.get("/es/")
        assert page.status_code == 200
        doc = BeautifulSoup(page.get_data(as_text=True), "html.parser")
        assert doc.html["lang"] == "es"
        text = doc.get_text(" ", strip=True)
        assert "Próximos eventos" in text
        assert "Financiar la primera infancia: diálogo regional" in text
        assert "En español, con interpretación en inglés y francés" in text
        assert "Lanzamiento de la Estrategia de Alianza Mundial" in text


def test_demo_data_once_does_nothing_when_events_exist(runner):
    first = runner.invoke(args=["demo-data", "--once"])
    assert "Events: 5 created" in first.stdout
    launch = _event("gps-ecce-launch")
    launch.capacity = 10
    db.session.commit()

    second = runner.invoke(args=["demo-data", "--once"])

    assert second.exit_code == 0
    assert "already holds events" in second.stdout
    assert _count(Event) == 5
    db.session.refresh(launch)
    assert launch.capacity == 10


def test_demo_data_twice_without_once_leaves_everything_unchanged(runner):
    runner.invoke(args=["demo-data"])
    result = runner.invoke(args=["demo-data"])
    assert result.exit_code == 0
    assert "Events: 0 created, 0 updated, 5 unchanged." in result.stdout


def test_demo_file_is_package_data_in_the_documented_format(app):
    content = json.loads(files("eventsvc").joinpath("demo", "events.json").read_text("utf-8"))
    assert set(content) == {"partners", "events"}
    assert "gps-ecce-launch" in {e["slug"] for e in content["events"]}


def test_demo_data_registers_people_from_many_countries_and_fills_a_small_event(runner):
    from eventsvc.models import MessageStatus, OutboxMessage, Registration, RegistrationStatus

    result = runner.invoke(args=["demo-data"])
    assert "Demo registrations:" in result.stdout
    registrations = list(db.session.scalars(select(Registration)))
    assert len(registrations) >= 30
    assert len({r.country for r in registrations}) >= 10
    assert {r.language for r in registrations} == {"en", "fr"}
    small = _event("childpact-mentoring-advocacy-plans")
    statuses = [r.status for r in registrations if r.event_id == small.id]
    assert statuses.count(RegistrationStatus.CONFIRMED) == small.capacity
    assert statuses.count(RegistrationStatus.WAITLISTED) >= 3
    pending = select(OutboxMessage).where(OutboxMessage.status == MessageStatus.PENDING)
    assert db.session.scalars(pending).first() is None  # nobody behind example.org
    again = runner.invoke(args=["demo-data"])
    assert "Demo registrations" not in again.stdout
    assert _count(Registration) == len(registrations)


def test_where_says_where_to_sign_in_and_where_mail_goes(runner, app):
    app.config["PUBLIC_BASE_URL"] = "http://127.0.0.1:5050"
    result = runner.invoke(args=["where", "--port", "5050"])
    assert "Organiser: http://127.0.0.1:5050/organiser/" in result.stdout
    assert f"written as .eml files to {app.instance_path}/mail/" in result.stdout
    assert "Note:" not in result.stdout
    elsewhere = runner.invoke(args=["where", "--port", "5051"])
    assert "Note: PUBLIC_BASE_URL is http://127.0.0.1:5050" in elsewhere.stdout


def test_make_run_serves_on_the_port_asked_and_mail_links_follow():
    import subprocess
    from pathlib import Path

    root = Path(__file__).resolve().parents[1]
    env = {"PATH": "/usr/bin:/bin"}
    plan = subprocess.run(
        ["make", "-n", "-C", str(root), "run", "PORT=5050"],
        capture_output=True,
        text=True,
        env=env,
        check=True,
    ).stdout
    assert "--port 5050" in plan
    assert "EVENTSVC_PUBLIC_BASE_URL=http://127.0.0.1:5050" in plan
    default = subprocess.run(
        ["make", "-n", "-C", str(root), "run"], capture_output=True, text=True, env=env, check=True
    ).stdout
    assert "--port 5000" in default


def test_demo_launch_asks_its_questions_and_the_demo_people_answer_them(runner):
    """Issue 16's demo: a role, age groups shown only to teachers, breakout groups with
    places, and the accessibility question."""
    from eventsvc.models import Registration
    from eventsvc.services import questions

    assert runner.invoke(args=["demo-data"]).exit_code == 0
    launch = _event("gps-ecce-launch")
    items = {item["key"]: item for item in questions.as_items(launch)}
    assert list(items) == ["role", "age_groups", "breakout", "accessibility"]
    assert items["age_groups"]["show_if"] == {"question": "role", "in": ["teacher"]}
    assert all(choice["places"] for choice in items["breakout"]["choices"])
    answers = [
        questions.answers_for(r)
        for r in db.session.scalars(select(Registration).where(Registration.event_id == launch.id))
    ]
    assert all("age_groups" in a for a in answers if a["role"] == "teacher")
    assert not any("age_groups" in a for a in answers if a["role"] != "teacher")
    assert any(a.get("accessibility", {}).get("sign_language") == "lsf" for a in answers)
