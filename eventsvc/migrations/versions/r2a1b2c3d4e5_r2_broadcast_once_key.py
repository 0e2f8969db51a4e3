"""r2: one live broadcast per key (the week's digest, an event's notice, a reminder per offset)

Two organisers publishing at the same instant in a week with no digest yet could each write the
week's digest (each checked, found none, inserted). A broadcast now carries ``once_key``, unique
among the live broadcasts (scheduled or expanding), and the services insert with ``ON CONFLICT DO
NOTHING``. The live broadcasts written before get their keys here; two live digests due at the
same time (the race's leftovers) become one: the events of the later join the earliest, and the
later is withdrawn (it had not started: an expanding one keeps going, unkeyed).

Revision ID: r2a1b2c3d4e5
Revises: i1a2b3c4d5e6
Create Date: 2026-11-30 14:10:00
"""
from datetime import UTC, datetime

from alembic import op
import sqlalchemy as sa

import eventsvc.models.types


# revision identifiers, used by Alembic.
revision = 'r2a1b2c3d4e5'
down_revision = 'i1a2b3c4d5e6'
branch_labels = None
depends_on = None

LIVE = ('scheduled', 'expanding')
LIVE_SQL = sa.text("status IN ('scheduled', 'expanding')")


def _key(row):
    """As the services key them (``subscriptions.digest_key``, ``broadcasts.sync_reminders``,
    ``subscriptions._queue_new_event_notices``); ``None`` for the broadcasts without a key."""
    if row.kind == 'digest':
        return f"digest:{row.due_at.astimezone(UTC):%Y-%m-%dT%H:%M}"
    if row.kind == 'new_event_notice' and row.event_id is not None:
        return f"notice:{row.event_id}"
    if row.kind == 'reminder' and row.event_id is not None and 'offset' in (row.payload or {}):
        return f"reminder:{row.event_id}:{int(row.payload['offset'])}"
    return None


def upgrade():
    with op.batch_alter_table('broadcast', schema=None) as batch_op:
        batch_op.add_column(sa.Column('once_key', sa.String(length=80), nullable=True))
    broadcast = sa.Table(
        'broadcast', sa.MetaData(),
        sa.Column('id', sa.Integer, primary_key=True),
        sa.Column('event_id', sa.Integer),
        sa.Column('kind', sa.String),
        sa.Column('status', sa.String),
        sa.Column('due_at', eventsvc.models.types.UTCDateTime(timezone=True)),
        sa.Column('payload', sa.JSON),
        sa.Column('finished_at', eventsvc.models.types.UTCDateTime(timezone=True)),
        sa.Column('once_key', sa.String),
    )
    connection = op.get_bind()
    rows = connection.execute(
        sa.select(broadcast).where(broadcast.c.status.in_(LIVE)).order_by(broadcast.c.id)
    ).all()
    kept = {}  # key -> [id, payload] of the broadcast keeping it
    for row in rows:
        key = _key(row)
        if key is None:
            continue
        if key not in kept:
            kept[key] = [row.id, row.payload or {}]
            connection.execute(
                broadcast.update().where(broadcast.c.id == row.id).values(once_key=key)
            )
        elif row.kind == 'digest' and row.status == 'scheduled':
            first_id, first_payload = kept[key]
            known = {event_id for event_id, _added in first_payload.get('events', [])}
            events = [*first_payload.get('events', [])]
            events += [e for e in (row.payload or {}).get('events', []) if e[0] not in known]
            kept[key][1] = payload = {**first_payload, 'events': events}
            connection.execute(
                broadcast.update().where(broadcast.c.id == first_id).values(payload=payload)
            )
            connection.execute(
                broadcast.update()
                .where(broadcast.c.id == row.id)
                .values(status='withdrawn', finished_at=datetime.now(UTC))
            )
    with op.batch_alter_table('broadcast', schema=None) as batch_op:
        batch_op.create_index(
            'uq_broadcast_live_once_key',
            ['once_key'],
            unique=True,
            sqlite_where=LIVE_SQL,
            postgresql_where=LIVE_SQL,
        )


def downgrade():
    with op.batch_alter_table('broadcast', schema=None) as batch_op:
        batch_op.drop_index('uq_broadcast_live_once_key')
        batch_op.drop_column('once_key')
