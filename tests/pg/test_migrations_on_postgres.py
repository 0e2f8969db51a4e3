"""``flask init-db`` on PostgreSQL: the migrations build the schema the models declare."""

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext

from eventsvc.extensions import db


def _differences():
    with db.engine.connect() as connection:
        context = MigrationContext.configure(
            connection, opts={"compare_type": True, "compare_server_default": False}
        )
        return compare_metadata(context, db.metadata)


def test_init_db_builds_the_declared_schema_on_postgres(app, runner):
    db.drop_all()
    result = runner.invoke(args=["init-db"])
    assert result.exit_code == 0, result.output
    assert _differences() == []


def test_init_db_runs_again_safely_on_postgres(app, runner):
    db.drop_all()
    assert runner.invoke(args=["init-db"]).exit_code == 0
    again = runner.invoke(args=["init-db"])
    assert again.exit_code == 0, again.output
    assert "latest revision" in again.output


def test_links_mailed_before_the_upgrade_keep_working_on_postgres(app):
    from tests.test_migrations import check_links_survive_the_upgrade

    db.drop_all()
    check_links_survive_the_upgrade(app, db.engine)


def test_upgrading_keeps_every_row_on_postgres(app):
    from tests.test_migrations import check_upgrade_keeps_every_row

    db.drop_all()
    check_upgrade_keeps_every_row(db.engine)
