"""Personal links carry the registration's own secret: a restore that rewinds the ids does not
let links mailed for lost registrations open the new ones that take those ids."""

import email
import email.policy
import re
import shutil
import sqlite3
import subprocess
from pathlib import Path

import pytest
from sqlalchemy import make_url

from eventsvc.extensions import db
from eventsvc.mail import messages
from eventsvc.mail.dispatcher import dispatch_due
from eventsvc.mail.transport import mail_folder
from eventsvc.models import Event, Registration
from eventsvc.services.tokens import make_token

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


def test_links_mailed_before_a_restore_open_none_of_the_registrations_made_after_it(
    app, client, make_event, make_registration, tmp_path
):
    event = make_event()
    event_id = event.id
    for n in range(3):
        make_registration(event, email=f"kept{n}@example.org")
    restore = take_backup(app, tmp_path)
    lost = [make_registration(event, email=f"lost{n}@example.org") for n in range(4)]
    lost_ids = {person.id for person in lost}
    links = mailed_links()
    lost_tokens = [token for n in range(4) for token in links[f"lost{n}@example.org"]]
    kept_tokens = [token for n in range(3) for token in links[f"kept{n}@example.org"]]
    assert len(lost_tokens) == 4 and len(kept_tokens) == 3

    restore()
    event = db.session.get(Event, event_id)
    newcomers = [make_registration(event, email=f"new{n}@example.org") for n in range(4)]

    assert {person.id for person in newcomers} == lost_ids  # the restore rewound the ids
    for token in lost_tokens:
        assert client.get(f"/en/registrations/{token}").status_code == 404
        assert client.post(f"/en/registrations/{token}/cancel").status_code == 404
    assert all(
        person.status == "confirmed"
        for person in db.session.scalars(
            db.select(Registration).where(Registration.email.like("new%"))
        )
    )
    for token in kept_tokens:
        assert client.get(f"/en/registrations/{token}").status_code == 200
    for person in newcomers:
        assert client.get(f"/en/registrations/{make_token(person)}").status_code == 200
