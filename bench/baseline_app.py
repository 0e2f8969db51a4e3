"""The floor eventsvc is measured against: the least a Flask app can do for the same requests.

``POST /register`` inserts one row from the form and redirects (303); ``GET /items/<id>``
renders one row through a small Jinja template. Same database kind and engine settings as
eventsvc (SQLAlchemy Core, SQLite in WAL mode with ``synchronous=NORMAL``, or PostgreSQL),
served by the same gunicorn command::

    BENCH_BASELINE_DATABASE_URI=sqlite:////tmp/b.sqlite3 gunicorn 'bench.baseline_app:create_app()'

The table is created by :func:`create_schema` before the servers start.
"""

import os
import sqlite3
from datetime import UTC, datetime

from flask import Flask, abort, redirect, render_template, request
from jinja2 import DictLoader
from sqlalchemy import (
    Column,
    DateTime,
    Integer,
    MetaData,
    String,
    Table,
    create_engine,
    event,
    insert,
    select,
)
from sqlalchemy.engine import Engine

metadata = MetaData()
registration = Table(
    "baseline_registration",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("full_name", String(200)),
    Column("email", String(254)),
    Column("organisation", String(200)),
    Column("country", String(2)),
    Column("language", String(8)),
    Column("created_at", DateTime(timezone=True)),
)

PAGE = """<!doctype html>
<html lang="fr"><head><meta charset="utf-8"><title>{{ row.full_name }}</title></head>
<body><main><h1>{{ row.full_name }}</h1>
<dl><dt>Courriel</dt><dd>{{ row.email }}</dd><dt>Organisation</dt><dd>{{ row.organisation }}</dd>
<dt>Pays</dt><dd>{{ row.country }}</dd><dt>Langue</dt><dd>{{ row.language }}</dd></dl>
</main></body></html>
"""


@event.listens_for(Engine, "connect")
def _sqlite_pragmas(dbapi_connection, connection_record):
    """The same pragmas eventsvc sets on SQLite."""
    if isinstance(dbapi_connection, sqlite3.Connection):
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.close()


def make_engine(uri: str) -> Engine:
    connect_args = {"timeout": 30} if uri.startswith("sqlite") else {}
    return create_engine(uri, connect_args=connect_args)


def create_schema(uri: str, rows: int = 1) -> None:
    """The table with ``rows`` rows to show (the GET renders row 1)."""
    engine = make_engine(uri)
    metadata.create_all(engine)
    with engine.begin() as connection:
        connection.execute(
            insert(registration),
            [_row(f"Participant {n}", f"seed{n}@example.org") for n in range(rows)],
        )
    engine.dispose()


def _row(name: str, email: str, organisation: str = "", country: str = "", lang: str = "en"):
    return {
        "full_name": name,
        "email": email,
        "organisation": organisation,
        "country": country,
        "language": lang,
        "created_at": datetime.now(UTC),
    }


def create_app() -> Flask:
    app = Flask(__name__)
    app.jinja_loader = DictLoader({"item.html": PAGE})
    engine = make_engine(os.environ["BENCH_BASELINE_DATABASE_URI"])

    @app.post("/register")
    def register():
        form = request.form
        with engine.begin() as connection:
            connection.execute(
                insert(registration),
                _row(
                    form.get("full_name", ""),
                    form.get("email", ""),
                    form.get("organisation", ""),
                    form.get("country", ""),
                    form.get("language", "en"),
                ),
            )
        return redirect("/thanks", 303)

    @app.get("/items/<int:item_id>")
    def item(item_id):
        with engine.connect() as connection:
            row = connection.execute(
                select(registration).where(registration.c.id == item_id)
            ).first()
        if row is None:
            abort(404)
        return render_template("item.html", row=row)

    @app.get("/healthz")
    def healthz():
        return "ok"

    return app
