"""The migrations build exactly the schema the models describe, and init-db is repeatable."""

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import create_engine, inspect

from eventsvc import create_app
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
