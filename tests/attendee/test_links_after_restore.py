"""Personal links carry the registration's own secret: a restore that rewinds the ids does not
let links mailed for lost registrations open the new ones that take those ids."""

import email
import email.policy
import re
import shutil
import sqlite3
import subprocess
import threading
import time
from pathlib import Path

import pytest
from sqlalchemy import make_url, select

from eventsvc.extensions import db
from eventsvc.mail import messages
from eventsvc.mail.dispatcher import dispatch_due
from eventsvc.mail.transport import mail_folder
from eventsvc.models import Event, Registration, RegistrationStatus
from eventsvc.services.inputs.registration import RegistrationInput
from eventsvc.services.registrations import register
from eventsvc.services.tokens import make_token
from eventsvc.unit_of_work import unit_of_work

_LINK = re.compile(r"https?://[^\s\"<>]*/registrations/([A-Za-z0-9_.=-]+)")


def mailed_links() -> dict[str, set[str]]:
    """Each recipient's personal-link tokens, read from the messages the dispatcher wrote."""
    dispatch_due(build=messages.build)
    links: dict[str, set[str]] = {}
    for path in mail_folder().glob("*.eml"):
        message = email.message_from_bytes(path.read_bytes(), policy=email.policy.default)
        text = message.get_body(("plain",)).get_content()
        links.setdefault(str(message["To"].addresses[0].addr_spec), set()).update(
            _LINK.findall(text)
        )
    return links


def _sqlite_backup(app, tmp_path):
    source = make_url(app.config["SQLALCHEMY_DATABASE_URI"]).database
    copy = tmp_path / "backup.sqlite3"
    with sqlite3.connect(source) as live, sqlite3.connect(copy) as backup:
        live.backup(backup)  # the online backup API: consistent while others write

    def restore():
        db.session.remove()
        db.engine.dispose()
        for suffix in ("-wal", "-shm"):
            Path(source + suffix).unlink(missing_ok=True)
        shutil.copyfile(copy, source)

    return restore


def _postgres_backup(app, tmp_path):
    if not shutil.which("pg_dump"):
        pytest.fail("pg_dump is needed for the PostgreSQL restore test (apt-get postgresql-client)")
    url = make_url(app.config["SQLALCHEMY_DATABASE_URI"])
    schema = url.query["options"].removeprefix("-csearch_path=")
    plain = url.set(drivername="postgresql").difference_update_query(["options"])
    dsn = plain.render_as_string(hide_password=False)
    dump = tmp_path / "backup.sql"
    subprocess.run(["pg_dump", "-n", schema, "-f", str(dump), dsn], check=True)

    def restore():
        db.session.remove()
        db.engine.dispose()
        subprocess.run(
            ["psql", "-q", "-v", "ON_ERROR_STOP=1", "-c", f'DROP SCHEMA "{schema}" CASCADE', dsn],
            check=True,
        )
        subprocess.run(["psql", "-q", "-v", "ON_ERROR_STOP=1", "-f", str(dump), dsn], check=True)

    return restore


def take_backup(app, tmp_path):
    """Back up the database as docs/production.md says; returns the function that restores it."""
    if db.engine.dialect.name == "postgresql":
        return _postgres_backup(app, tmp_path)
    return _sqlite_backup(app, tmp_path)


def register_burst(app, event_id: int, count: int, registered: list[str]) -> threading.Thread:
    """Register ``count`` people one after another in a thread of their own, as visitors would."""

    def burst():
        with app.app_context():
            event = db.session.get(Event, event_id)
            for n in range(count):
                data = RegistrationInput(
                    full_name=f"Burst {n}", email=f"burst{n}@example.org", language="en"
                )
                with unit_of_work():
                    register(event, data)
                registered.append(data.email)
            db.session.remove()

    thread = threading.Thread(target=burst)
    thread.start()
    return thread


@pytest.mark.slow  # pg_dump and psql on PostgreSQL
def test_links_mailed_before_a_restore_open_none_of_the_registrations_made_after_it(
    app, client, make_event, tmp_path
):
    event_id = make_event().id
    registered: list[str] = []
    burst = register_burst(app, event_id, 16, registered)
    while len(registered) < 5:
        time.sleep(0.005)
    restore = take_backup(app, tmp_path)  # while the burst goes on
    burst.join()
    links = mailed_links()
    ids_before = {person.email: person.id for person in db.session.scalars(select(Registration))}

    restore()
    kept = set(db.session.scalars(select(Registration.email)))
    lost = set(registered) - kept
    assert lost and kept, "the backup caught the burst midway"
    event = db.session.get(Event, event_id)
    newcomers = []
    for n in range(len(lost) + 2):
        with unit_of_work():
            data = RegistrationInput(full_name="New", email=f"new{n}@example.org", language="en")
            newcomers.append(register(event, data).registration)

    reused = {person.id for person in newcomers} & {ids_before[address] for address in lost}
    assert reused, "the restore rewound the ids: new registrations took the lost ones' ids"
    for address in lost:
        (token,) = links[address]
        assert client.get(f"/en/registrations/{token}").status_code == 404
        assert client.post(f"/en/registrations/{token}/cancel").status_code == 404
    for address in kept & set(registered):
        (token,) = links[address]
        assert client.get(f"/en/registrations/{token}").status_code == 200
    for person in newcomers:
        db.session.refresh(person)
        assert person.status == RegistrationStatus.CONFIRMED
        assert client.get(f"/en/registrations/{make_token(person)}").status_code == 200
