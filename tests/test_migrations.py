"""The migrations build exactly the schema the models describe, and init-db is repeatable."""

import json

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import create_engine, inspect, text

from eventsvc import MIGRATIONS_DIR, create_app
from eventsvc.extensions import db


@pytest.fixture
def migrated_app(tmp_path, monkeypatch):
    monkeypatch.setenv("EVENTSVC_INSTANCE_PATH", str(tmp_path / "instance"))
    uri = f"sqlite:///{tmp_path / 'migrated.sqlite3'}"
    app = create_app({"SQLALCHEMY_DATABASE_URI": uri, "TESTING": True})
    with app.app_context():
        yield app, uri


def test_init_db_twice_reaches_the_latest_revision(migrated_app):
    app, uri = migrated_app
    runner = app.test_cli_runner()
    for _ in range(2):
        result = runner.invoke(args=["init-db"])
        assert result.exit_code == 0, result.output
    assert "registration" in inspect(create_engine(uri)).get_table_names()


def test_migrations_match_the_models(migrated_app):
    app, uri = migrated_app
    assert app.test_cli_runner().invoke(args=["init-db"]).exit_code == 0
    with create_engine(uri).connect() as connection:
        context = MigrationContext.configure(connection, opts={"compare_type": True})
        differences = compare_metadata(context, db.metadata)
    assert differences == [], "run: flask --app eventsvc db migrate -d eventsvc/migrations"


def test_upgrading_an_existing_database_counts_its_confirmed_seats(migrated_app):
    """A database created before ``Event.confirmed_seats`` existed gets the count of its rows."""
    from flask_migrate import upgrade

    app, uri = migrated_app
    upgrade(directory=str(MIGRATIONS_DIR), revision="e7a677e1245d")
    engine = create_engine(uri)
    with engine.begin() as connection:
        connection.execute(
            text(
                "INSERT INTO event (id, slug, timezone, starts_at, ends_at, floor_language,"
                " interpretation_languages, online_url, status, sequence, created_at, updated_at)"
                " VALUES (1, 'gps', 'Europe/Paris', '2026-12-06 12:30:00', '2026-12-06 13:30:00',"
                " 'fr', '[]', '', 'published', 0, '2026-11-01', '2026-11-01')"
            )
        )
        for n, status in enumerate(["confirmed", "confirmed", "waitlisted", "cancelled"]):
            connection.execute(
                text(
                    "INSERT INTO registration (event_id, status, full_name, email,"
                    " email_normalised, organisation, country, language, question, newsletter,"
                    " consent_version, created_at, updated_at) VALUES (1, :status, 'P', :email,"
                    " :email, '', '', 'fr', '', false, '1', '2026-11-02', '2026-11-02')"
                ),
                {"status": status, "email": f"p{n}@example.org"},
            )

    upgrade(directory=str(MIGRATIONS_DIR))

    with engine.connect() as connection:
        seats = connection.execute(text("SELECT confirmed_seats FROM event")).scalar_one()
    assert seats == 2


def test_upgrading_keeps_no_preference_apart_from_following_the_floor(migrated_app):
    """Before, "No preference" was NULL and the floor language was picked as a language; after,
    NULL still means no preference and the floor language becomes its own answer."""
    from flask_migrate import upgrade

    app, uri = migrated_app
    upgrade(directory=str(MIGRATIONS_DIR), revision="7ab6480e62d5")
    engine = create_engine(uri)
    with engine.begin() as connection:
        connection.execute(
            text(
                "INSERT INTO event (id, slug, timezone, starts_at, ends_at, floor_language,"
                " interpretation_languages, online_url, status, sequence, created_at, updated_at)"
                " VALUES (1, 'gps', 'Europe/Paris', '2026-12-06 12:30:00', '2026-12-06 13:30:00',"
                " 'fr', '[\"en\"]', '', 'published', 0, '2026-11-01', '2026-11-01')"
            )
        )
        for n, chosen in enumerate([None, "fr", "en"]):
            connection.execute(
                text(
                    "INSERT INTO registration (id, event_id, status, full_name, email,"
                    " email_normalised, organisation, country, language, interpretation_language,"
                    " question, newsletter, consent_version, created_at, updated_at) VALUES"
                    " (:id, 1, 'confirmed', 'P', :email, :email, '', '', 'fr', :chosen, '',"
                    " false, '1', '2026-11-02', '2026-11-02')"
                ),
                {"id": n + 1, "email": f"p{n}@example.org", "chosen": chosen},
            )

    upgrade(directory=str(MIGRATIONS_DIR))

    with engine.connect() as connection:
        rows = connection.execute(
            text("SELECT interpretation_language, timezone FROM registration ORDER BY id")
        ).all()
    assert rows == [(None, ""), ("floor", ""), ("en", "")]


def test_upgrading_keeps_the_uid_existing_events_were_sent_with(tmp_path, monkeypatch):
    """Events created before UIDs were stored keep ``event-<id>@<domain>``; new ones get a UUID."""
    from flask_migrate import upgrade

    from eventsvc import ics
    from eventsvc.models import Event

    monkeypatch.setenv("EVENTSVC_INSTANCE_PATH", str(tmp_path / "instance"))
    uri = f"sqlite:///{tmp_path / 'uids.sqlite3'}"
    app = create_app({"SQLALCHEMY_DATABASE_URI": uri, "TESTING": True})
    engine = create_engine(uri)
    with app.app_context():
        upgrade(directory=str(MIGRATIONS_DIR), revision="7ab6480e62d5")
        with engine.begin() as connection:
            for event_id in (1, 2):
                connection.execute(
                    text(
                        "INSERT INTO event (id, slug, timezone, starts_at, ends_at,"
                        " floor_language, interpretation_languages, online_url, status, sequence,"
                        " created_at, updated_at) VALUES (:id, :slug, 'Europe/Paris',"
                        " '2026-12-06 12:30:00', '2026-12-06 13:30:00', 'fr', '[]', '',"
                        " 'published', 0, '2026-11-01', '2026-11-01')"
                    ),
                    {"id": event_id, "slug": f"e{event_id}"},
                )
        upgrade(directory=str(MIGRATIONS_DIR))

        old = db.session.get(Event, 1)
        assert ics.event_uid(old) == "event-1@eventsvc.localhost"
        assert ics.event_uid(db.session.get(Event, 2)) == "event-2@eventsvc.localhost"
        new = Event(
            slug="new",
            starts_at=old.starts_at,
            ends_at=old.ends_at,
            floor_language="fr",
        )
        db.session.add(new)
        db.session.commit()
        assert ics.event_uid(new).endswith("@eventsvc.localhost")
        assert not ics.event_uid(new).startswith("event-")
        db.session.remove()
    engine.dispose()


def test_upgrading_keeps_the_configured_calendar_domain_in_existing_uids(tmp_path, monkeypatch):
    from flask_migrate import upgrade

    monkeypatch.setenv("EVENTSVC_INSTANCE_PATH", str(tmp_path / "instance"))
    uri = f"sqlite:///{tmp_path / 'domain.sqlite3'}"
    app = create_app(
        {"SQLALCHEMY_DATABASE_URI": uri, "TESTING": True, "CALENDAR_DOMAIN": "events.omep.org"}
    )
    engine = create_engine(uri)
    with app.app_context():
        upgrade(directory=str(MIGRATIONS_DIR), revision="7ab6480e62d5")
        with engine.begin() as connection:
            connection.execute(
                text(
                    "INSERT INTO event (id, slug, timezone, starts_at, ends_at, floor_language,"
                    " interpretation_languages, online_url, status, sequence, created_at,"
                    " updated_at) VALUES (7, 'e', 'Europe/Paris', '2026-12-06 12:30:00',"
                    " '2026-12-06 13:30:00', 'fr', '[]', '', 'published', 0, '2026-11-01',"
                    " '2026-11-01')"
                )
            )
        upgrade(directory=str(MIGRATIONS_DIR))
        with engine.connect() as connection:
            uid = connection.execute(text("SELECT calendar_uid FROM event")).scalar_one()
    engine.dispose()
    assert uid == "event-7@events.omep.org"


def test_links_mailed_before_the_upgrade_keep_working_and_only_for_those_rows(migrated_app):
    app, uri = migrated_app
    check_links_survive_the_upgrade(app, create_engine(uri))


def check_links_survive_the_upgrade(app, engine):
    """Existing registrations get a secret and keep their old id-signed links; a registration
    created after the upgrade (even one that takes a restored, rewound id) never accepts one."""
    from flask_migrate import upgrade
    from itsdangerous import URLSafeSerializer

    from eventsvc.models import Registration
    from eventsvc.services import tokens

    upgrade(directory=str(MIGRATIONS_DIR), revision="7ab6480e62d5")
    with engine.begin() as connection:
        connection.execute(
            text(
                "INSERT INTO event (id, slug, timezone, starts_at, ends_at, floor_language,"
                " interpretation_languages, online_url, status, sequence, created_at,"
                " updated_at, content_version, confirmed_seats) VALUES (1, 'gps',"
                " 'Europe/Paris', '2026-12-06 12:30:00', '2026-12-06 13:30:00', 'fr', '[]', '',"
                " 'published', 0, '2026-11-01', '2026-11-01', 1, 1)"
            )
        )
        connection.execute(
            text(
                "INSERT INTO registration (id, event_id, status, full_name, email,"
                " email_normalised, organisation, country, language, question, newsletter,"
                " consent_version, created_at, updated_at) VALUES (7, 1, 'confirmed', 'P',"
                " 'p@example.org', 'p@example.org', '', '', 'fr', '', false, '1', '2026-11-02',"
                " '2026-11-02')"
            )
        )
    old_signer = URLSafeSerializer(app.config["SECRET_KEY"], salt="eventsvc.registration")
    old_link = old_signer.dumps(7)

    upgrade(directory=str(MIGRATIONS_DIR))

    migrated = db.session.get(Registration, 7)
    assert migrated.legacy_links and len(migrated.link_secret) >= 32
    assert tokens.registration_for_token(old_link) is migrated
    assert tokens.registration_for_token(tokens.make_token(migrated)) is migrated
    newcomer = Registration(
        event_id=1,
        status="confirmed",
        full_name="N",
        email="n@example.org",
        email_normalised="n@example.org",
        language="en",
    )
    db.session.add(newcomer)
    db.session.commit()
    assert not newcomer.legacy_links
    assert tokens.registration_for_token(old_signer.dumps(newcomer.id)) is None
    tokens.rotate_secret(migrated)
    db.session.commit()
    assert tokens.registration_for_token(old_link) is None


def test_upgrading_keeps_every_row_of_a_database_in_use(migrated_app):
    app, uri = migrated_app
    check_upgrade_keeps_every_row(create_engine(uri))


def check_upgrade_keeps_every_row(engine):
    """Upgrading a database that holds organisers, events, registrations, outbox rows and audit
    entries keeps every row, and gives the creator of each event access to it."""
    from flask_migrate import upgrade

    upgrade(directory=str(MIGRATIONS_DIR), revision="7ab6480e62d5")
    statements = [
        "INSERT INTO organiser (id, email, name, password_hash, role, active, locale,"
        " failed_logins, created_at) VALUES (1, 'a@example.org', 'A', 'x', 'admin', true, 'fr',"
        " 2, '2026-11-01'), (2, 'o@example.org', 'O', 'x', 'organiser', true, 'en', 0,"
        " '2026-11-01')",
        "INSERT INTO event (id, slug, timezone, starts_at, ends_at, floor_language,"
        " interpretation_languages, online_url, status, sequence, created_at, updated_at,"
        " content_version, confirmed_seats) VALUES (1, 'gps', 'Europe/Paris',"
        " '2026-12-06 12:30:00', '2026-12-06 13:30:00', 'fr', '[\"en\"]', '', 'published', 0,"
        " '2026-11-01', '2026-11-01', 1, 1)",
        "INSERT INTO event_content (event_id, locale, title, summary, description) VALUES"
        " (1, 'fr', 'T', '', '')",
        "INSERT INTO registration (id, event_id, status, full_name, email, email_normalised,"
        " organisation, country, language, interpretation_language, question, newsletter,"
        " consent_version, created_at, updated_at) VALUES (1, 1, 'confirmed', 'P',"
        " 'p@example.org', 'p@example.org', '', '', 'fr', 'fr', '', false, '1', '2026-11-02',"
        " '2026-11-02'), (2, 1, 'waitlisted', 'Q', 'q@example.org', 'q@example.org', '', '',"
        " 'en', 'en', '', false, '1', '2026-11-02', '2026-11-02')",
        "INSERT INTO outbox_message (id, kind, status, registration_id, event_id, due_at,"
        " payload, message_id, attempts, last_error, created_at) VALUES (1, 'confirmation',"
        " 'sent', 1, 1, '2026-11-02', '{}', '<1@x>', 1, '', '2026-11-02'), (2, 'waitlisted',"
        " 'pending', 2, 1, '2026-11-02', '{}', '<2@x>', 0, '', '2026-11-02')",
        "INSERT INTO audit_entry (event_id, organiser_id, action, details, created_at) VALUES"
        " (1, 2, 'created', '{}', '2026-11-01'), (1, 1, 'published', '{}', '2026-11-01')",
    ]
    with engine.begin() as connection:
        for statement in statements:
            connection.execute(text(statement))

    upgrade(directory=str(MIGRATIONS_DIR))

    with engine.connect() as connection:
        counts = {
            table: connection.execute(text(f"SELECT count(*) FROM {table}")).scalar_one()
            for table in (
                "organiser",
                "event",
                "event_content",
                "registration",
                "outbox_message",
                "audit_entry",
            )
        }
        assignments = connection.execute(
            text("SELECT event_id, organiser_id FROM event_assignment")
        ).all()
        outbox = connection.execute(
            text(
                "SELECT id, registration_id, event_id, organiser_id FROM outbox_message ORDER BY id"
            )
        ).all()
    assert counts == {
        "organiser": 2,
        "event": 1,
        "event_content": 1,
        "registration": 2,
        "outbox_message": 2,
        "audit_entry": 2,
    }
    assert assignments == [(1, 2)]
    assert outbox == [(1, 1, 1, None), (2, 2, 1, None)]


def test_upgrading_turns_pending_reminder_rows_into_one_broadcast_per_event_and_offset(
    migrated_app,
):
    """Reminders were one row per registrant and offset; after the upgrade they are one
    broadcast per event and offset, and the old rows are withdrawn. A published event ahead
    with no reminder yet gets the shipped defaults."""
    from flask_migrate import upgrade

    app, uri = migrated_app
    upgrade(directory=str(MIGRATIONS_DIR), revision="e8f9a0b1c2d3")
    engine = create_engine(uri)
    with engine.begin() as connection:
        for event_id, start in ((1, "2031-03-06 12:30:00"), (2, "2031-04-01 08:00:00")):
            connection.execute(
                text(
                    "INSERT INTO event (id, slug, calendar_uid, timezone, starts_at, ends_at,"
                    " floor_language, interpretation_languages, online_url, status, sequence,"
                    " created_at, updated_at) VALUES (:id, :slug, :uid, 'Europe/Paris', :start,"
                    " :start, 'fr', '[]', '', 'published', 0, '2026-11-01', '2026-11-01')"
                ),
                {"id": event_id, "slug": f"e{event_id}", "uid": f"u{event_id}", "start": start},
            )
        for n in (1, 2):
            connection.execute(
                text(
                    "INSERT INTO registration (id, event_id, status, full_name, email,"
                    " email_normalised, organisation, country, language, question_for_speakers,"
                    " newsletter, consent_version, created_at, updated_at, link_secret) VALUES"
                    " (:id, 1, 'confirmed', 'P', :email, :email, '', '', 'fr', '', false, '1',"
                    " '2026-11-02', '2026-11-02', 's')"
                ),
                {"id": n, "email": f"p{n}@example.org"},
            )
            for due in ("2031-03-05 12:30:00", "2031-03-06 11:30:00"):
                connection.execute(
                    text(
                        "INSERT INTO outbox_message (kind, status, registration_id, event_id,"
                        " due_at, payload, message_id, attempts, last_error, created_at)"
                        " VALUES ('reminder', 'pending', :reg, 1, :due, '{}', :mid, 0, '',"
                        " '2026-11-02')"
                    ),
                    {"reg": n, "due": due, "mid": f"<{n}{due}@x>"},
                )

    upgrade(directory=str(MIGRATIONS_DIR))

    with engine.connect() as connection:
        broadcasts = connection.execute(
            text("SELECT event_id, kind, status, payload FROM broadcast ORDER BY event_id, due_at")
        ).all()
        old = connection.execute(
            text("SELECT DISTINCT status FROM outbox_message WHERE kind = 'reminder'")
        ).all()
    offsets = [
        (event_id, json.loads(payload)["offset"]) for event_id, _k, _s, payload in broadcasts
    ]
    assert offsets == [(1, 1440), (1, 60), (2, 1440), (2, 60)]
    assert {(kind, status) for _e, kind, status, _p in broadcasts} == {("reminder", "scheduled")}
    assert old == [("cancelled",)]


def test_upgrading_turns_pending_digests_into_the_weeks_one_digest_broadcast(migrated_app):
    """Digests were one row per weekly subscriber; after the upgrade the pending ones are the
    week's one digest broadcast (their events, each with when it was first added), withdrawn
    as rows: nobody gets two digests on the Monday after."""
    from flask_migrate import upgrade

    app, uri = migrated_app
    upgrade(directory=str(MIGRATIONS_DIR), revision="h1b2c3d4e5f6")
    engine = create_engine(uri)
    with engine.begin() as connection:
        for n, events, created in ((1, "[7, 8]", "2026-11-24 10:00:00"), (2, "[8]", "2026-11-23")):
            connection.execute(
                text(
                    "INSERT INTO subscription (id, email, email_normalised, languages, partner_ids,"
                    " frequency, status, link_secret, created_at, confirmed_at) VALUES (:id, :e,"
                    " :e, '[\"fr\"]', '[]', 'weekly', 'confirmed', 's', '2026-11-01', '2026-11-01')"
                ),
                {"id": n, "e": f"s{n}@example.org"},
            )
            connection.execute(
                text(
                    "INSERT INTO outbox_message (kind, status, subscription_id, due_at, payload,"
                    " message_id, attempts, last_error, created_at) VALUES ('digest', 'pending',"
                    " :sub, '2026-11-30 08:00:00', :payload, :mid, 0, '', :created)"
                ),
                {
                    "sub": n,
                    "payload": f'{{"events": {events}}}',
                    "mid": f"<d{n}@x>",
                    "created": created,
                },
            )

    upgrade(directory=str(MIGRATIONS_DIR))

    with engine.connect() as connection:
        broadcasts = connection.execute(
            text("SELECT event_id, kind, audience, status, payload FROM broadcast")
        ).all()
        old = connection.execute(
            text("SELECT DISTINCT status FROM outbox_message WHERE kind = 'digest'")
        ).all()
    [(event_id, kind, audience, status, payload)] = broadcasts
    assert (event_id, kind, audience, status) == (None, "digest", "digest_subscribers", "scheduled")
    events = json.loads(payload)["events"]
    assert [event for event, _added in events] == [8, 7]
    assert events[0][1].startswith("2026-11-23")  # event 8 was first added with subscriber 2's
    assert old == [("cancelled",)]


def test_upgrading_keys_the_live_broadcasts_and_merges_two_digests_of_one_week(migrated_app):
    """Two organisers publishing at once could write the week's digest twice: after the upgrade
    the earliest holds both events and the key, the other is withdrawn (nobody gets two)."""
    from flask_migrate import upgrade

    app, uri = migrated_app
    upgrade(directory=str(MIGRATIONS_DIR), revision="i1a2b3c4d5e6")
    engine = create_engine(uri)
    with engine.begin() as connection:
        for n, payload in (
            (1, '{"events": [[7, "2026-11-24T10:00:00+00:00"]]}'),
            (2, '{"events": [[8, "2026-11-24T10:00:01+00:00"]]}'),
        ):
            connection.execute(
                text(
                    "INSERT INTO broadcast (id, event_id, kind, audience, status, due_at, payload,"
                    " cursor, written, created_at) VALUES (:id, NULL, 'digest',"
                    " 'digest_subscribers', 'scheduled', '2026-11-30 08:00:00', :payload, 0, 0,"
                    " '2026-11-24')"
                ),
                {"id": n, "payload": payload},
            )

    upgrade(directory=str(MIGRATIONS_DIR))

    with engine.connect() as connection:
        rows = connection.execute(
            text("SELECT id, status, once_key, payload FROM broadcast ORDER BY id")
        ).all()
    (first, second) = rows
    assert first[1:3] == ("scheduled", "digest:2026-11-30T08:00")
    assert [event for event, _added in json.loads(first[3])["events"]] == [7, 8]
    assert second[1:3] == ("withdrawn", None)
