"""The fixtures every test folder shares: an app on a temporary instance folder and a database
with the schema (``tests/databases.py``), a real SMTP sink, a frozen clock, what tests make
(``tests/factories.py``) and signed-in organiser clients.

Folder conftests only add what is their own (the browser, the load servers, the mail sinks);
no test imports a conftest."""

import os
from datetime import datetime

import pytest
from sqlalchemy import func, select

from eventsvc import clock, create_app
from eventsvc.extensions import db
from eventsvc.models import Event, EventAssignment, Registration, Role
from tests import databases, factories, summaries
from tests.clients import IsolatedClient
from tests.pg import support
from tests.smtp_sink import SMTPSink

#: The clock tests run at unless they move it: a Sunday, two weeks before the GPS launch.


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
        databases.skip_fsync(db.engine)
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

    clock.freeze(factories.DEFAULT_NOW)
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


# --- what tests make (tests/factories.py) -------------------------------------------------------


@pytest.fixture
def make_partner(app):
    return factories.create_partner


@pytest.fixture
def make_event(app, request):
    """``factories.create_event``; when the test has a plain organiser (``organiser_account``),
    the event is assigned to them (organisers see only their events)."""
    if "organiser_account" not in request.fixturenames:
        return factories.create_event

    def create_assigned(*args, **kwargs) -> Event:
        event = factories.create_event(*args, **kwargs)
        account = request.getfixturevalue("organiser_account")
        db.session.add(EventAssignment(event_id=event.id, organiser_id=account.id))
        db.session.commit()
        return event

    return create_assigned


@pytest.fixture
def make_registration(app):
    """Register someone through the domain service, as the form would."""
    return factories.register_someone


@pytest.fixture
def event_data():
    """The GPS launch as the organiser form or the importer builds it (``EventData``)."""
    return factories.gps_launch_data


@pytest.fixture
def form_data():
    """A valid registration form, with ``overrides`` applied (``None`` removes a field)."""
    return factories.registration_form


@pytest.fixture
def count_registrations(app):
    def count(event=None) -> int:
        query = select(func.count(Registration.id))
        if event is not None:
            query = query.where(Registration.event_id == event.id)
        return db.session.scalar(query)

    return count


# --- organiser accounts and signed-in clients ----------------------------------------------------


@pytest.fixture
def organiser_account(app):
    return factories.create_account("olga@example.org", "Olga Organiser")


@pytest.fixture
def admin_account(app):
    return factories.create_account("ada@example.org", "Ada Admin", role=Role.ADMIN)


@pytest.fixture
def organiser(app, organiser_account):
    """A test client signed in as a plain organiser, through the sign-in form."""
    client = app.test_client()
    response = factories.sign_in(client, organiser_account.email)
    assert response.status_code == 302
    return client


@pytest.fixture
def signed_in(organiser):
    """A test client signed in as a plain organiser (the attendee and export tests' name)."""
    return organiser


@pytest.fixture
def admin(app, admin_account):
    """A test client signed in as an administrator."""
    client = app.test_client()
    response = factories.sign_in(client, admin_account.email)
    assert response.status_code == 302
    return client


# --- further apps -------------------------------------------------------------------------------


@pytest.fixture
def app_factory(tmp_path, monkeypatch):
    """Build further apps on the test's instance folder, e.g. outside testing mode."""
    monkeypatch.setenv("EVENTSVC_INSTANCE_PATH", str(tmp_path / "instance"))
    monkeypatch.delenv("EVENTSVC_SECRET_KEY", raising=False)
    monkeypatch.delenv("EVENTSVC_ENV", raising=False)
    built = []

    def factory(**config):
        settings = {
            "SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path / 'factory.sqlite3'}",
            "RATELIMIT_ENABLED": False,
            # A deployment's own sender: production refuses the `.localhost` placeholders.
            "MAIL_DEFAULT_SENDER": ("Events", "events@events.example.org"),
            **config,
        }
        app = create_app(settings)
        built.append(app)
        return app

    yield factory
    for app in built:
        with app.app_context():
            db.engine.dispose()


def pytest_terminal_summary(terminalreporter, exitstatus, config):
    """Which parts did not run (PostgreSQL, browser, calendar parsers), and why."""
    summaries.write(terminalreporter, exitstatus)
