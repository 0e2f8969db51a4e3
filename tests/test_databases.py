"""The test databases of ``tests/databases.py``: every test starts with every table and no row,
whatever the test before it did."""

import pytest
from sqlalchemy import create_engine, inspect, text
from sqlalchemy.pool import NullPool

from eventsvc.extensions import db
from tests import databases
from tests.pg import support


def _tables(uri: str) -> set[str]:
    engine = create_engine(uri, poolclass=NullPool)
    try:
        return set(inspect(engine).get_table_names())
    finally:
        engine.dispose()


def test_each_sqlite_copy_has_every_table_and_is_its_own(sqlite_template, tmp_path):
    first = databases.copy_sqlite_template(sqlite_template, tmp_path / "first.sqlite3")
    second = databases.copy_sqlite_template(sqlite_template, tmp_path / "second.sqlite3")
    assert _tables(first) == set(db.metadata.tables)
    engine = create_engine(first, poolclass=NullPool)
    with engine.begin() as connection:
        connection.execute(text("DELETE FROM event"))
        connection.execute(text("DROP TABLE event_partner"))
    engine.dispose()
    assert _tables(second) == set(db.metadata.tables)


@pytest.mark.postgres
def test_the_postgresql_schema_is_emptied_and_rebuilt_between_tests():
    schema = databases.ReusableSchema(support.postgres_uri())
    try:
        engine = create_engine(schema.uri, poolclass=NullPool)
        with engine.begin() as connection:
            connection.execute(
                text("INSERT INTO partner (acronym, website) VALUES ('OMEP', 'https://omep.org')")
            )
        schema.reset()
        with engine.begin() as connection:
            assert connection.execute(text("SELECT count(*) FROM partner")).scalar() == 0
            new_id = connection.execute(
                text("INSERT INTO partner (acronym, website) VALUES ('X', 'x') RETURNING id")
            ).scalar()
            assert new_id == 1  # sequences start again, as in a fresh database
            connection.execute(text("DROP TABLE event_partner"))
        schema.reset()
        assert _tables(schema.uri) == set(db.metadata.tables)
        engine.dispose()
    finally:
        schema.drop()
