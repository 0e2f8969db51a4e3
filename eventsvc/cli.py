"""Command-line interface: ``flask --app eventsvc <command>``."""

import sys
from pathlib import Path

import click
from flask import Flask
from flask_migrate import upgrade

from eventsvc.demo.registrations import seed_registrations
from eventsvc.extensions import db
from eventsvc.mail import transport, worker
from eventsvc.mail.transport import mail_folder
from eventsvc.models import Event
from eventsvc.services import DomainError, attendance, importer, organisers
from eventsvc.services.privacy import parse_age, purge_past_registrations
from eventsvc.services.registrations import events_with_expired_holds, expire_holds
from eventsvc.unit_of_work import unit_of_work


@click.command("init-db")
def init_db_command():
    """Create the database or bring it to the latest migration (safe to run again)."""
    upgrade()
    click.echo("Database is at the latest revision.")


@click.command("purge-registrations")
@click.option(
    "--older-than",
    "older_than",
    default="180d",
    show_default=True,
    help="Age since the event ended: a number of days (180d) or weeks (26w).",
)
def purge_registrations_command(older_than):
    """Anonymise the registrations of events that ended more than --older-than ago."""

    try:
        age = parse_age(older_than)
    except ValueError as exc:
        raise click.BadParameter(str(exc), param_hint="--older-than") from exc
    with unit_of_work():
        purged = purge_past_registrations(age)
    transport.remove_copies(purged.message_ids)
    click.echo(
        f"Anonymised {purged.count} registration(s) of events that ended over {older_than} ago."
    )


@click.command("expire-holds")
def expire_holds_command():
    """Free the places whose address was not confirmed in time ("confirm your address" mode)
    and promote the waitlist into them; run it from cron, e.g. every 15 minutes."""

    count = 0
    for event_id in events_with_expired_holds():
        with unit_of_work():  # one lock and one transaction per event
            count += expire_holds(db.session.get(Event, event_id))
    click.echo(f"Freed {count} place(s) held for an unconfirmed address.")


@click.command("send-mail")
@click.option("--once", is_flag=True, help="Send what is due, then exit.")
@click.option(
    "--batch-size",
    type=click.IntRange(min=1),
    default=None,
    help="Messages per SMTP connection (default: MAIL_BATCH_SIZE).",
)
@click.option(
    "--interval",
    type=click.FloatRange(min=0.1),
    default=None,
    help="Seconds between polls of the outbox (default: MAIL_DISPATCHER_INTERVAL).",
)
def send_mail_command(once, batch_size, interval):
    """Send the outbox: drain it once (--once), or keep polling until SIGTERM/SIGINT."""
    import logging

    from flask import current_app

    current_app.logger  # noqa: B018  (installs Flask's stderr handler for the eventsvc loggers)
    logging.getLogger("eventsvc.mail").setLevel(logging.INFO)
    worker.run(
        once=once,
        batch_size=batch_size or current_app.config["MAIL_BATCH_SIZE"],
        interval=interval or float(current_app.config["MAIL_DISPATCHER_INTERVAL"]),
    )


@click.command("import-events")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--check", is_flag=True, help="Only check the file; import nothing.")
def import_events_command(file, check):
    """Create or update partners and events from FILE (JSON; see docs/import-format.md)."""

    _import(importer, file.read_bytes(), source=file.name, check=check)


@click.command("demo-data")
@click.option("--once", is_flag=True, help="Do nothing if the database holds any event.")
@click.option(
    "--registrations/--no-registrations",
    default=True,
    help="Also register a few dozen demo people (only into a database without registrations).",
)
def demo_data_command(once, registrations):
    """Import the demo partners and events shipped with eventsvc."""
    from importlib.resources import files

    from sqlalchemy import select

    if once and db.session.scalar(select(Event.id).limit(1)) is not None:
        click.echo("The database already holds events; demo data not loaded.")
        return
    demo = files("eventsvc").joinpath("demo", "events.json").read_bytes()
    _import(importer, _in_configured_locales(demo), source="demo-data")
    if registrations:
        with unit_of_work():
            seeded = seed_registrations()
        if seeded:
            click.echo(f"Demo registrations: {seeded} (addresses at example.org, no mail sent).")


def _in_configured_locales(demo: bytes) -> bytes:
    """The demo's texts in the site's languages only: the demo ships more (Spanish, before ``es``
    is configured), and the importer rightly refuses texts in a language the site does not speak."""
    import json

    from flask import current_app

    supported = set(current_app.config["SUPPORTED_LOCALES"])
    document = json.loads(demo)
    for record in document["partners"] + document["events"]:
        for key, value in record.items():
            if isinstance(value, dict):  # texts by language
                record[key] = {lang: text for lang, text in value.items() if lang in supported}
    return json.dumps(document, ensure_ascii=False).encode()


@click.command("where")
@click.option("--port", type=int, default=None, help="The port the site is served on.")
def where_command(port):
    """Say where the site, the organiser sign-in and the mail are."""
    from flask import current_app

    base = current_app.config["PUBLIC_BASE_URL"].rstrip("/")
    if port is not None and not base.endswith(f":{port}"):
        click.echo(f"Note: PUBLIC_BASE_URL is {base}, so links in mail point there.")
    click.echo(f"Site:      {base}/")
    click.echo(
        f"Organiser: {base}/organiser/  (first account: .venv/bin/flask --app eventsvc "
        "create-organiser you@example.org --role admin)"
    )
    server = current_app.config.get("MAIL_SERVER")
    if server:
        click.echo(f"Mail:      sent through {server}:{current_app.config['MAIL_PORT']}")
    else:
        click.echo(
            f"Mail:      written as .eml files to {mail_folder()}/ (open them in a mail client)"
        )


def _import(importer, content: bytes, source: str, check: bool = False) -> None:
    try:
        if check:
            checked = importer.plan(content)
            click.echo(
                f"The file is valid: {len(checked.partners)} partner(s), "
                f"{len(checked.events)} event(s)."
            )
            return
        with unit_of_work():
            report = importer.import_events(content, source=source)
    except importer.ImportFailed as failure:
        for problem in failure.problems:
            click.echo(str(problem), err=True)
        raise click.ClickException(str(failure.message)) from failure
    click.echo(
        f"Partners: {len(report.partners_created)} created, "
        f"{len(report.partners_updated)} updated, {len(report.partners_unchanged)} unchanged."
    )
    click.echo(
        f"Events: {len(report.created)} created, {len(report.updated)} updated, "
        f"{len(report.unchanged)} unchanged."
    )
    if report.notified:
        click.echo(f"{report.notified} registrant message(s) queued about the changes.")


@click.command("import-attendance")
@click.argument("slug")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option(
    "--format",
    "report_format",
    type=click.Choice(["zoom", "teams", "bbb", "generic"]),
    default=None,
    help="The platform the report comes from (default: recognised from the file).",
)
@click.option(
    "--timezone",
    default=None,
    help="The IANA zone of the file's times, when the file does not say (e.g. Europe/Paris).",
)
def import_attendance_command(slug, file, report_format, timezone):
    """Count the participant report FILE (Zoom, Teams, BigBlueButton or generic CSV) towards
    the attendance of the event SLUG. A bad file stores nothing and exits 1."""
    from sqlalchemy import select

    from eventsvc.models.attendance import ReportFormat
    from eventsvc.services.attendance_reports import ReportError

    event = db.session.scalar(select(Event).where(Event.slug == slug))
    if event is None:
        raise click.ClickException(f"No event “{slug}”.")
    content = file.read_bytes()
    try:
        with unit_of_work():
            result = attendance.import_report(
                event,
                content,
                filename=file.name,
                format=ReportFormat(report_format) if report_format else None,
                timezone=timezone,
            )
            lines = attendance.describe_import(result)
    except ReportError as error:
        for problem in error.problems:
            click.echo(str(problem), err=True)
        raise click.ClickException(str(error.message)) from error
    except DomainError as error:
        hint = f" Give --timezone (the event's zone is {event.timezone})." if not timezone else ""
        raise click.ClickException(f"{error.message}{hint} Nothing was stored.") from error
    for line in lines:
        click.echo(line)


@click.command("create-organiser")
@click.argument("email")
@click.option("--name", default="", help="The organiser's name, shown in the audit log.")
@click.option(
    "--role",
    type=click.Choice(["organiser", "admin"]),
    default=None,
    help="admin manages organiser accounts (default for a new account: organiser).",
)
@click.option(
    "--password",
    "ask_password",
    is_flag=True,
    help="Type the password here instead of mailing an invitation (e.g. the first admin).",
)
@click.option(
    "--password-stdin",
    is_flag=True,
    help="Read the password from the first line of standard input (scripts and tests).",
)
@click.option(
    "--reset",
    is_flag=True,
    help="The account exists: mail it a link to choose a new password (or set the one given "
    "with --password/--password-stdin), lift the sign-in limits, end its sessions.",
)
def create_organiser_command(email, name, role, ask_password, password_stdin, reset):
    """Invite an organiser by mail to choose their password (or, with --reset, an existing one).

    With --password or --password-stdin the password is set here instead.
    """

    existing = organisers.find_by_email(email)
    if existing is not None and not reset:
        raise click.ClickException(
            f"An account exists for {existing.email}; add --reset to set a new password."
        )
    if existing is None and reset:
        raise click.ClickException(f"No account exists for {email}; leave out --reset.")
    password = None
    if password_stdin:
        password = sys.stdin.readline().rstrip("\r\n")
    elif ask_password:
        password = _prompt_new_password(organisers)
    try:
        if existing is not None:
            _reset(organisers, existing, password, name, role)
        else:
            with unit_of_work():
                created = organisers.create_organiser(
                    organisers.NewOrganiser(
                        email=email, password=password, name=name, role=role or "organiser"
                    )
                )
            if password is None:
                click.echo(
                    f"Invited {created.email} ({created.role}): the mail with the link to choose "
                    "a password goes out with the outbox (flask send-mail, or make run)."
                )
            else:
                click.echo(f"Created {created.role} account {created.email}.")
    except DomainError as error:
        raise click.ClickException(str(error.message)) from error


def _prompt_new_password(organisers) -> str:
    """Ask until the password meets the rules, and only then ask for it again."""
    while True:
        password = click.prompt("Password", hide_input=True)
        try:
            organisers.check_password_strength(password)
        except organisers.AccountError as problem:
            click.echo(str(problem.message), err=True)
            continue
        if click.prompt("Password again", hide_input=True) == password:
            return password
        click.echo("The two passwords differ; start again.", err=True)


def _reset(organisers, account, password, name, role) -> None:
    with unit_of_work():
        organisers.update_account(account, password=password, name=name or None, role=role)
    if password is not None:
        click.echo(f"New password set for {account.email}.")
    else:
        click.echo(f"A link to choose a new password is queued for {account.email}.")


def init_app(app: Flask) -> None:
    app.cli.add_command(init_db_command)
    app.cli.add_command(create_organiser_command)
    app.cli.add_command(import_events_command)
    app.cli.add_command(import_attendance_command)
    app.cli.add_command(demo_data_command)
    app.cli.add_command(where_command)
    app.cli.add_command(send_mail_command)
    app.cli.add_command(purge_registrations_command)
    app.cli.add_command(expire_holds_command)
