"""eventsvc: bilingual event pages, registrations and calendar invites for NGO networks."""

import contextlib
import os
import secrets
import sqlite3
from pathlib import Path

from flask import Flask, redirect, request, session, url_for
from sqlalchemy import event as sa_event

from eventsvc import config as default_config
from eventsvc import extensions, identity
from eventsvc.extensions import babel, csrf, db, limiter, login_manager, migrate
from eventsvc.row_ids import RowIdConverter

PROJECT_ROOT = Path(__file__).resolve().parent.parent
MIGRATIONS_DIR = Path(__file__).resolve().parent / "migrations"


def create_app(test_config: dict | None = None) -> Flask:
    """Build the application: settings, extensions, blueprints, CLI and error pages.

    Settings come from ``eventsvc/config.py``, then ``instance/config.py``, then ``EVENTSVC_*``
    environment variables, then ``test_config``.
    """
    app = Flask(
        __name__,
        instance_path=_instance_path(),
        instance_relative_config=True,
        template_folder=str(PROJECT_ROOT / "templates"),
        static_folder=str(PROJECT_ROOT / "static"),
    )
    app.url_map.converters["int"] = RowIdConverter  # before any route is added
    _configure(app, test_config)
    _init_extensions(app)
    _register_blueprints(app)

    from eventsvc import cli, errors, health, mail, security, webhook_delivery

    errors.init_app(app)
    security.init_app(app)
    health.init_app(app)
    mail.init_app(app)
    webhook_delivery.init_app(app)
    cli.init_app(app)
    return app


def _instance_path() -> str:
    path = os.environ.get("EVENTSVC_INSTANCE_PATH") or str(PROJECT_ROOT / "instance")
    return str(Path(path).resolve())


def _configure(app: Flask, test_config: dict | None) -> None:
    app.config.from_object(default_config)
    app.config.from_pyfile("config.py", silent=True)
    app.config.from_prefixed_env("EVENTSVC")
    if test_config:
        app.config.from_mapping(test_config)
    identity.init_app(app)
    Path(app.instance_path).mkdir(parents=True, exist_ok=True)
    if not app.config.get("SQLALCHEMY_DATABASE_URI"):
        database = Path(app.instance_path) / "eventsvc.sqlite3"
        app.config["SQLALCHEMY_DATABASE_URI"] = f"sqlite:///{database}"
    from eventsvc.security import refuse_generated_secret_key, refuse_weak_secret_key

    if app.config.get("SECRET_KEY"):
        refuse_weak_secret_key(app, str(app.config["SECRET_KEY"]))
    else:
        refuse_generated_secret_key(app)
        key_file = Path(app.instance_path) / "secret_key"
        app.config["SECRET_KEY"] = _instance_secret_key(key_file)
        refuse_weak_secret_key(app, app.config["SECRET_KEY"], key_file)
    options = dict(app.config.get("SQLALCHEMY_ENGINE_OPTIONS") or {})
    if app.config["SQLALCHEMY_DATABASE_URI"].startswith("sqlite"):
        options.setdefault("connect_args", {}).setdefault("timeout", 30)
    else:
        # A pooled connection is tested before use, so a database restart or failover costs
        # no request an error.
        options.setdefault("pool_pre_ping", True)
    app.config["SQLALCHEMY_ENGINE_OPTIONS"] = options


def _instance_secret_key(key_file: Path) -> str:
    """A key generated once per instance folder, so sessions and links survive restarts.

    Written whole or not at all: to a temporary file, synced, then linked into place (which
    fails if another process got there first; its key is used). A full disk fails the start.
    """
    if not key_file.exists():
        temporary = key_file.with_name(f".secret_key.{os.getpid()}.tmp")
        try:
            fd = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
            with os.fdopen(fd, "w") as handle:
                handle.write(secrets.token_hex(32))
                handle.flush()
                os.fsync(handle.fileno())
            with contextlib.suppress(FileExistsError):  # another process's key won
                os.link(temporary, key_file)
            _fsync_folder(key_file.parent)
        finally:
            temporary.unlink(missing_ok=True)
    return key_file.read_text().strip()


def _fsync_folder(folder: Path) -> None:
    fd = os.open(folder, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def _set_up_sqlite_connection(dbapi_connection, register_functions) -> None:
    """WAL so readers never wait for the writer; foreign keys, which SQLite leaves off; the
    SQL functions the services call (``attendee_search``'s Unicode case folding)."""
    if isinstance(dbapi_connection, sqlite3.Connection):
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.close()
        register_functions(dbapi_connection)


def _init_extensions(app: Flask) -> None:
    from eventsvc import i18n, models, ratelimits  # noqa: F401  (tables; the limits' storage)

    db.init_app(app)
    # The SQLite writers' queue ends with each transaction of the app's session (documented
    # in ``locking.init_app``): the one ORM listener left, scoped to ``db.session``.
    from eventsvc.services import attendee_search, locking

    locking.init_app(app)
    # Attached to this app's engine only, not to SQLAlchemy's Engine class: other engines in
    # the process (a migration check, a benchmark's baseline) keep their own settings.
    with app.app_context():
        sa_event.listen(
            db.engine,
            "connect",
            lambda connection, _record: _set_up_sqlite_connection(
                connection, attendee_search.register_sqlite_functions
            ),
        )
    migrate.init_app(app, db, directory=str(MIGRATIONS_DIR), render_as_batch=True)
    # Through the module: the name ``mail`` here is rebound to the eventsvc.mail package once
    # it is imported, and a second app in the process would get no Flask-Mail.
    extensions.mail.init_app(app)
    babel.init_app(app, locale_selector=i18n.select_locale)
    csrf.init_app(app)
    login_manager.init_app(app)
    app.config.setdefault("RATELIMIT_ENABLED", True)
    limiter.init_app(app)
    i18n.init_app(app)


def _register_blueprints(app: Flask) -> None:
    from eventsvc.api import bp as api_bp
    from eventsvc.attendee import bp as attendee_bp
    from eventsvc.attendee.join import bp as join_bp
    from eventsvc.embed import bp as embed_bp
    from eventsvc.i18n import best_locale_for_request, supported_locales
    from eventsvc.organiser import bp as organiser_bp
    from eventsvc.public import bp as public_bp
    from eventsvc.urls import public_url, safe_next

    app.register_blueprint(public_bp)
    app.register_blueprint(attendee_bp)
    app.register_blueprint(join_bp)
    app.register_blueprint(organiser_bp)
    app.register_blueprint(api_bp)
    app.register_blueprint(embed_bp)
    app.add_template_global(public_url)

    @app.get("/")
    def root():
        return redirect(url_for("public.index", lang=best_locale_for_request()), 302)

    @app.get("/certificates/<code>")
    def certificate_redirect(code):
        """The short address printed on certificates: opens in the visitor's language."""
        return redirect(
            url_for("public.certificate", lang=best_locale_for_request(), code=code), 302
        )

    @app.get("/locale/<lang>")
    def set_locale(lang):
        """Remember the locale of pages that carry none in their URL (the organiser workspace)."""
        if lang in supported_locales():
            session["lang"] = lang
        return redirect(safe_next(request.args.get("next")) or "/")
