"""Fixtures: an app on a temporary instance folder, a real SMTP sink, event factories, a clock."""

import os
from datetime import UTC, datetime

import pytest
from flask.testing import FlaskClient

from eventsvc import clock, create_app
from eventsvc.extensions import db
from eventsvc.models import Event, EventStatus, Partner
from eventsvc.services.registrations import RegistrationData, register
from tests import databases
from tests.pg import support
from tests.smtp_sink import SMTPSink

#: The clock tests run at unless they move it: a Sunday, two weeks before the GPS launch.
DEFAULT_NOW = datetime(2026, 11, 22, 10, 0, tzinfo=UTC)


class IsolatedClient(FlaskClient):
    """Runs each request in a fresh app context, as a server does.

    The ``app`` fixture keeps one app context open for the whole test; without this, ``g`` (the
    URL's locale, Flask-Babel's cached locale) would carry over from one request to the next.
    """

    def open(self, *args, **kwargs):
        with self.application.app_context():
            return super().open(*args, **kwargs)


@pytest.fixture
def app_config(tmp_path):
    """Settings for the ``app`` fixture; override this fixture to change them for a module."""
    return {}


@pytest.fixture(scope="session")
def sqlite_template(tmp_path_factory):
    """A SQLite file with every table, built once per session (``tests/databases.py``)."""
    return databases.build_sqlite_template(tmp_path_factory.mktemp("schema") / "template.sqlite3")


@pytest.fixture(scope="session")
def postgres_schema():
    """One PostgreSQL schema with every table for the session, on the configured server."""
    schema = databases.ReusableSchema(support.postgres_uri())
    yield schema
    schema.drop()


@pytest.fixture
def sqlite_database(sqlite_template, tmp_path):
    """A SQLite file of this test's own, with every table and no row."""
    return databases.copy_sqlite_template(sqlite_template, tmp_path / "test.sqlite3")


@pytest.fixture
def postgres_database(postgres_schema):
    """The session's PostgreSQL schema, with every table and no row; emptied afterwards."""
    yield postgres_schema.uri
    postgres_schema.reset()


@pytest.fixture
def database_uri(request):
    """A database with every table and no row: a SQLite file per test, or the PostgreSQL schema
    when ``EVENTSVC_TEST_BACKEND=postgresql`` (the second pass of ``.ci/run``)."""
    if os.environ.get("EVENTSVC_TEST_BACKEND") == "postgresql":
        return request.getfixturevalue("postgres_database")
    return request.getfixturevalue("sqlite_database")


@pytest.fixture
def app(tmp_path, monkeypatch, app_config, database_uri):
    instance = tmp_path / "instance"
    monkeypatch.setenv("EVENTSVC_INSTANCE_PATH", str(instance))
    config = {
        "TESTING": True,
        "SQLALCHEMY_DATABASE_URI": database_uri,
        "WTF_CSRF_ENABLED": False,
        "RATELIMIT_ENABLED": False,
        "MAIL_SERVER": None,
        "CALENDAR_DOMAIN": "events.test",
        "ORGANIZER_EMAIL": "events@events.test",
        "ORGANIZER_NAME": "OMEP events",
        "MAIL_DEFAULT_SENDER": ("OMEP events", "events@events.test"),
        "PUBLIC_BASE_URL": "http://events.test",
        "MAIL_RETRY_DELAYS": [0, 0, 0],
        **app_config,
    }
    app = create_app(config)
    app.test_client_class = IsolatedClient
    with app.app_context():
        if config["SQLALCHEMY_DATABASE_URI"] != database_uri:
            db.create_all()  # a database of the test's own choosing
        yield app
        db.session.remove()
        db.engine.dispose()


@pytest.fixture
def client(app):
    return app.test_client()


@pytest.fixture
def runner(app):
    return app.test_cli_runner()


@pytest.fixture(autouse=True)
def frozen_clock():
    """Freeze ``eventsvc.clock.now``; ``frozen_clock.set(dt)`` moves it."""

    class Frozen:
        def set(self, instant: datetime) -> None:
            clock.freeze(instant)

        def advance(self, delta) -> None:
            clock.freeze(clock.now() + delta)

        @property
        def now(self) -> datetime:
            return clock.now()

    clock.freeze(DEFAULT_NOW)
    yield Frozen()
    clock.freeze(None)


@pytest.fixture
def smtp():
    """A real SMTP server on a free loopback port, with the messages it received."""
    sink = SMTPSink().start()
    yield sink
    sink.stop()


@pytest.fixture
def smtp_app(app, smtp):
    """The app sending through the ``smtp`` sink."""
    app.config.update(MAIL_SERVER="127.0.0.1", MAIL_PORT=smtp.port)
    from eventsvc.extensions import mail

    mail.init_app(app)
    return app


_counter = iter(range(1, 1_000_000))


@pytest.fixture
def make_partner(app):
    def factory(acronym="OMEP", **kw) -> Partner:
        partner = Partner(acronym=acronym, website=kw.pop("website", "https://omep.org"))
        for locale in ("en", "fr"):
            partner.set_text(locale, name=kw.get("name", f"{acronym} ({locale})"), description="")
        db.session.add(partner)
        db.session.commit()
        return partner

    return factory


@pytest.fixture
def make_event(app):
    """Create an event; wall times are in ``timezone``. Defaults: the GPS launch, published."""

    def factory(
        slug=None,
        start="2026-12-06T13:30",
        end="2026-12-06T14:30",
        timezone="Europe/Paris",
        status=EventStatus.PUBLISHED,
        capacity=None,
        registration_closes=None,
        partners=(),
        floor_language="fr",
        interpretation_languages=("en", "fr"),
        online_url="https://meet.example.org/gps-launch",
        title=None,
    ) -> Event:
        slug = slug or f"event-{next(_counter)}"
        event = Event(
            slug=slug,
            timezone=timezone,
            starts_at=clock.to_instant(clock.parse_wall(start), timezone),
            ends_at=clock.to_instant(clock.parse_wall(end), timezone),
            floor_language=floor_language,
            interpretation_languages=list(interpretation_languages),
            online_url=online_url,
            capacity=capacity,
            status=status,
            registration_closes_at=(
                clock.to_instant(clock.parse_wall(registration_closes), timezone)
                if registration_closes
                else None
            ),
        )
        titles = title or {"en": f"Launch of {slug}", "fr": f"Lancement de {slug}"}
        for locale, text in titles.items():
            event.set_content(
                locale,
                title=text,
                summary=f"Summary {locale}",
                description=f"**Description** {locale}",
            )
        for position, partner in enumerate(partners):
            from eventsvc.models import EventPartner

            event.partner_links.append(EventPartner(partner=partner, position=position))
        db.session.add(event)
        db.session.commit()
        return event

    return factory


@pytest.fixture
def make_registration(app):
    """Register someone through the domain service, as the form would."""

    def factory(event, email=None, language="fr", **kw):
        n = next(_counter)
        data = RegistrationData(
            full_name=kw.pop("full_name", f"Participant {n}"),
            email=email or f"person{n}@example.org",
            language=language,
            **kw,
        )
        return register(event, data).registration

    return factory
