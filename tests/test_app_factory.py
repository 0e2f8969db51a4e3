"""Settings come from defaults, then instance/config.py, then EVENTSVC_* variables; SQLite is
opened in WAL mode with foreign keys enforced."""

from sqlalchemy import text

from eventsvc import create_app
from eventsvc.extensions import db


def test_instance_config_overrides_defaults_and_environment_overrides_both(tmp_path, monkeypatch):
    instance = tmp_path / "instance"
    instance.mkdir()
    (instance / "config.py").write_text(
        "MAIL_SERVER = 'smtp.instance.test'\nMAIL_PORT = 2525\nORGANIZER_NAME = 'From file'\n"
    )
    monkeypatch.setenv("EVENTSVC_INSTANCE_PATH", str(instance))
    monkeypatch.setenv("EVENTSVC_MAIL_PORT", "587")
    monkeypatch.setenv("EVENTSVC_REMINDER_OFFSETS", "[1440, 60, 10]")

    app = create_app()

    assert app.instance_path == str(instance)
    assert app.config["MAIL_SERVER"] == "smtp.instance.test"
    assert app.config["MAIL_PORT"] == 587
    assert app.config["ORGANIZER_NAME"] == "From file"
    assert app.config["REMINDER_OFFSETS"] == [1440, 60, 10]
    assert app.config["SQLALCHEMY_DATABASE_URI"] == f"sqlite:///{instance / 'eventsvc.sqlite3'}"


def test_sqlite_runs_in_wal_mode_with_foreign_keys(tmp_path, monkeypatch):
    monkeypatch.setenv("EVENTSVC_INSTANCE_PATH", str(tmp_path))
    app = create_app({"TESTING": True})
    with app.app_context(), db.engine.connect() as connection:
        assert connection.execute(text("PRAGMA journal_mode")).scalar() == "wal"
        assert connection.execute(text("PRAGMA foreign_keys")).scalar() == 1
