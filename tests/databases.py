"""The test databases: the schema is built once per session, not once per test.

Building the tables costs 0.1 s a test on SQLite and over a second on PostgreSQL (each ``CREATE``
is a catalogue write), so:

- on SQLite, one template file is built per session and each test gets a copy of it;
- on PostgreSQL, one schema is built per session and emptied after each test that used it (a
  ``DELETE`` per table and the sequences set back to 1, in one round trip). A test that changed
  the tables themselves (dropped them, ran the migrations) leaves a schema that no longer matches
  the models: it is then dropped and built again.

Tests are not wrapped in an outer transaction: the code under test commits for real, only
without waiting for the disk (``skip_fsync``, and ``synchronous_commit=off`` on PostgreSQL).
"""

import shutil
import uuid
from pathlib import Path

from sqlalchemy import create_engine, create_mock_engine, event, text
from sqlalchemy.pool import NullPool

from eventsvc.extensions import db
from tests.pg.support import uri_for_schema


def _tables():
    import eventsvc.models  # noqa: F401  (every model registered on the metadata)

    return db.metadata.sorted_tables


def skip_fsync(engine) -> None:
    """Let the test app's SQLite connections commit without waiting for the disk
    (``PRAGMA synchronous=OFF``): 8 ms a commit on this machine's disk, 0.03 ms without.
    A test database needs no durability; locking and isolation are unchanged."""
    if engine.dialect.name == "sqlite":
        event.listen(engine, "connect", _synchronous_off)


def _synchronous_off(dbapi_connection, connection_record) -> None:
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA synchronous=OFF")
    cursor.close()


def sqlite_uri(path: Path) -> str:
    return f"sqlite:///{path}"


def build_sqlite_template(path: Path) -> Path:
    """A SQLite file with every table and no row; closed, so that a plain copy is complete."""
    engine = create_engine(sqlite_uri(path), poolclass=NullPool)
    db.metadata.create_all(engine, tables=_tables())
    engine.dispose()
    return path


def copy_sqlite_template(template: Path, path: Path) -> str:
    shutil.copyfile(template, path)
    return sqlite_uri(path)


def _ddl_script(server_uri: str) -> str:
    """The ``CREATE`` statements of the whole schema, compiled once, sent in one round trip."""
    statements: list[str] = []

    def collect(sql, *args, **kwargs):
        statements.append(str(sql.compile(dialect=engine.dialect)).strip())

    engine = create_mock_engine(server_uri, collect)
    db.metadata.create_all(engine, tables=_tables(), checkfirst=False)
    return ";\n".join(statements) + ";"


class ReusableSchema:
    """One PostgreSQL schema with every table, reused by the tests of a session.

    ``uri`` points every connection at the schema (``search_path``) and turns off
    ``synchronous_commit``: a test database needs no durability, and each commit then skips its
    wait for the disk.
    """

    def __init__(self, server_uri: str):
        self.server_uri = server_uri
        self.name = f"test_{uuid.uuid4().hex[:16]}"
        self.uri = uri_for_schema(server_uri, self.name, synchronous_commit=False)
        self._engine = create_engine(self.uri, poolclass=NullPool)
        self._ddl = _ddl_script(server_uri)
        self._table_names = {table.name for table in _tables()}
        self._empty = "".join(f'DELETE FROM "{t.name}";' for t in reversed(_tables()))
        self._build()

    def _build(self) -> None:
        with self._engine.begin() as connection:
            connection.exec_driver_sql(
                f'DROP SCHEMA IF EXISTS "{self.name}" CASCADE; CREATE SCHEMA "{self.name}";'
                f'SET LOCAL search_path TO "{self.name}";' + self._ddl
            )
            sequences = connection.execute(
                text("SELECT sequencename FROM pg_sequences WHERE schemaname = :schema"),
                {"schema": self.name},
            ).scalars()
            self._restart = "SELECT " + ", ".join(
                f'setval(\'"{self.name}"."{name}"\', 1, false)' for name in sequences
            )

    def reset(self) -> None:
        """Empty every table (or rebuild the schema if a test changed its tables)."""
        with self._engine.begin() as connection:
            tables = set(
                connection.execute(
                    text("SELECT tablename FROM pg_tables WHERE schemaname = :schema"),
                    {"schema": self.name},
                ).scalars()
            )
            if tables == self._table_names:
                connection.exec_driver_sql(self._empty + self._restart)
                return
        self._build()

    def drop(self) -> None:
        with self._engine.begin() as connection:
            connection.exec_driver_sql(f'DROP SCHEMA IF EXISTS "{self.name}" CASCADE')
        self._engine.dispose()
