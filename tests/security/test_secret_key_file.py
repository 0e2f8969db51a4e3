"""The generated secret key: written whole or not at all, and refused at every start when it is
empty or short; production refuses a short explicit key."""

from pathlib import Path

import pytest

from eventsvc.security import InsecureConfiguration
from tests.full_disk import full_tmpfs


@pytest.fixture
def full_disk(tmp_path):
    yield from full_tmpfs(tmp_path)


def test_the_key_file_is_written_whole_with_no_temporary_left(app_factory, tmp_path):
    app = app_factory()
    instance = tmp_path / "instance"
    assert [p.name for p in instance.iterdir() if "secret" in p.name] == ["secret_key"]
    assert len(app.config["SECRET_KEY"]) == 64
    assert oct((instance / "secret_key").stat().st_mode & 0o777) == "0o600"


@pytest.mark.parametrize("content", ["", "\n", "short-key"])
def test_an_empty_or_short_key_file_is_refused_at_every_start(app_factory, tmp_path, content):
    instance = tmp_path / "instance"
    instance.mkdir()
    (instance / "secret_key").write_text(content)

    for _ in range(2):
        with pytest.raises(InsecureConfiguration, match="secret_key") as refused:
            app_factory()
        assert "delete that file" in str(refused.value)


def test_an_empty_explicit_key_never_signs_anything(app_factory):
    app = app_factory(SECRET_KEY="")  # empty: a key is generated, never used empty
    assert len(app.config["SECRET_KEY"]) == 64


def test_production_refuses_an_explicit_key_shorter_than_32_bytes(app_factory, monkeypatch):
    monkeypatch.setenv("EVENTSVC_ENV", "production")
    monkeypatch.setenv("EVENTSVC_SECRET_KEY", "x" * 31)
    with pytest.raises(InsecureConfiguration, match="only 31 bytes"):
        app_factory()
    monkeypatch.setenv("EVENTSVC_SECRET_KEY", "x" * 32)
    assert app_factory().config["SECRET_KEY"] == "x" * 32


def test_a_first_start_on_a_full_disk_fails_and_leaves_no_empty_key(
    full_disk, monkeypatch, tmp_path
):
    from eventsvc import create_app

    instance = full_disk / "instance"
    instance.mkdir()
    monkeypatch.setenv("EVENTSVC_INSTANCE_PATH", str(instance))
    monkeypatch.delenv("EVENTSVC_SECRET_KEY", raising=False)
    settings = {"SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path / 'x.sqlite3'}"}

    with pytest.raises(OSError):
        create_app(settings)

    assert not (instance / "secret_key").exists()
    assert [p for p in instance.iterdir() if "secret" in p.name] == []
    (full_disk / "filler").unlink()
    app = create_app(settings)
    assert len(Path(instance / "secret_key").read_text().strip()) == 64
    with app.app_context():
        from eventsvc.extensions import db

        db.engine.dispose()
