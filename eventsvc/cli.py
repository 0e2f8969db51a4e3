"""Command-line interface: ``flask --app eventsvc <command>``."""

import click
from flask import Flask
from flask_migrate import upgrade


@click.command("init-db")
def init_db_command():
    """Create the database or bring it to the latest migration (safe to run again)."""
    upgrade()
    click.echo("Database is at the latest revision.")


def init_app(app: Flask) -> None:
    app.cli.add_command(init_db_command)
