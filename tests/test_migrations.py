"""The migrations build exactly the schema the models describe, and init-db is repeatable."""

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import create_engine, inspect, text

from eventsvc import MIGRATIONS_DIR, create_app
from eventsvc.extensions import db


@pytest.fixture
def migrated_app(tmp_path, monkeypatch):
    monkeypatch.setenv("EVENTSVC_INSTANCE_PATH", str(tmp_path / "instance"))
    uri = f"sqlite:///{tmp_path / 'migrated.sqlite3'}"
    app = create_app({"SQLALCHEMY_DATABASE_URI": uri, "TESTING": True})
    with app.app_context():
        yield app, uri


def test_init_db_twice_reaches_the_latest_revision(migrated_app):
    app, uri = migrated_app
    runner = app.test_cli_runner()
    for _ in range(2):
        result = runner.invoke(args=["init-db"])
        assert result.exit_code == 0, result.output
    assert "registration" in inspect(create_engine(uri)).get_table_names()


def test_migrations_match_the_models(migrated_app):
    app, uri = migrated_app
    assert app.test_cli_runner().invoke(args=["init-db"]).exit_code == 0
    with create_engine(uri).connect() as connection:
        context = MigrationContext.configure(connection, opts={"compare_type": True})
        differences = compare_metadata(context, db.metadata)
    assert differences == [], "run: flask --app eventsvc db migrate -d eventsvc/migrations"


def test_upgrading_an_existing_database_counts_its_confirmed_seats(migrated_app):
    """A database created before ``Event.confirmed_seats`` existed gets the count of its rows."""
    from flask_migrate import upgrade

    app, uri = migrated_app
    upgrade(directory=str(MIGRATIONS_DIR), revision="e7a677e1245d")
    engine = create_engine(uri)
    with engine.begin() as connection:
        connection.execute(
            text(
                "INSERT INTO event (id, slug, timezone, starts_at, ends_at, floor_language,"
                " interpretation_languages, online_url, status, sequence, created_at, updated_at)"
                " VALUES (1, 'gps', 'Europe/Paris', '2026-12-06 12:30:00', '2026-12-06 13:30:00',"
                " 'fr', '[]', '', 'published', 0, '2026-11-01', '2026-11-01')"
            )
        )
        for n, status in enumerate(["confirmed", "confirmed", "waitlisted", "cancelled"]):
            connection.execute(
                text(
                    "INSERT INTO registration (event_id, status, full_name, email,"
                    " email_normalised, organisation, country, language, question, newsletter,"
                    " consent_version, created_at, updated_at) VALUES (1, :status, 'P', :email,"
                    " :email, '', '', 'fr', '', false, '1', '2026-11-02', '2026-11-02')"
                ),
                {"status": status, "email": f"p{n}@example.org"},
            )

    upgrade(directory=str(MIGRATIONS_DIR))

    with engine.connect() as connection:
        seats = connection.execute(text("SELECT confirmed_seats FROM event")).scalar_one()
    assert seats == 2


def test_links_mailed_before_the_upgrade_keep_working_and_only_for_those_rows(migrated_app):
    app, uri = migrated_app
    check_links_survive_the_upgrade(app, create_engine(uri))


def check_links_survive_the_upgrade(app, engine):
    """Existing registrations get a secret and keep their old id-signed links; a registration
    created after the upgrade (even one that takes a restored, rewound id) never accepts one."""
    from flask_migrate import upgrade
    from itsdangerous import URLSafeSerializer

    from eventsvc.models import Registration
    from eventsvc.services import tokens

    upgrade(directory=str(MIGRATIONS_DIR), revision="7ab6480e62d5")
    with engine.begin() as connection:
        connection.execute(
            text(
                "INSERT INTO event (id, slug, timezone, starts_at, ends_at, floor_language,"
                " interpretation_languages, online_url, status, sequence, created_at,"
                " updated_at, content_version, confirmed_seats) VALUES (1, 'gps',"
                " 'Europe/Paris', '2026-12-06 12:30:00', '2026-12-06 13:30:00', 'fr', '[]', '',"
                " 'published', 0, '2026-11-01', '2026-11-01', 1, 1)"
            )
        )
        connection.execute(
            text(
                "INSERT INTO registration (id, event_id, status, full_name, email,"
                " email_normalised, organisation, country, language, question, newsletter,"
                " consent_version, created_at, updated_at) VALUES (7, 1, 'confirmed', 'P',"
                " 'p@example.org', 'p@example.org', '', '', 'fr', '', false, '1', '2026-11-02',"
                " '2026-11-02')"
            )
        )
    old_signer = URLSafeSerializer(app.config["SECRET_KEY"], salt="eventsvc.registration")
    old_link = old_signer.dumps(7)

    upgrade(directory=str(MIGRATIONS_DIR))

    migrated = db.session.get(Registration, 7)
    assert migrated.legacy_links and len(migrated.link_secret) >= 32
    assert tokens.registration_for_token(old_link) is migrated
    assert tokens.registration_for_token(tokens.make_token(migrated)) is migrated
    newcomer = Registration(
        event_id=1,
        status="confirmed",
        full_name="N",
        email="n@example.org",
        email_normalised="n@example.org",
        language="en",
    )
    db.session.add(newcomer)
    db.session.commit()
    assert not newcomer.legacy_links
    assert tokens.registration_for_token(old_signer.dumps(newcomer.id)) is None
    tokens.rotate_secret(migrated)
    db.session.commit()
    assert tokens.registration_for_token(old_link) is None
