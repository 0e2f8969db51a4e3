"""h: messages to many stored once (broadcasts), per-event reminder offsets and texts

Revision ID: h1b2c3d4e5f6
Revises: d0f1a2b3c4d5
Create Date: 2026-11-30 10:40:00.000000

Reminders were one outbox row per registrant and offset. The pending ones become one broadcast
per event and due time (the offset read back from the event's start), and the per-registrant
rows are withdrawn: the worker writes each registrant's delivery when the broadcast is due.
Published events ahead with no pending reminder yet (nobody registered) get the shipped
default offsets (a day and an hour before), so a first registrant is reminded as before.
"""
from datetime import UTC, datetime, timedelta

from alembic import op
import sqlalchemy as sa

import eventsvc.models.types


# revision identifiers, used by Alembic.
revision = 'h1b2c3d4e5f6'
down_revision = 'd0f1a2b3c4d5'
branch_labels = None
depends_on = None

DEFAULT_OFFSETS = (1440, 60)


def upgrade():
    op.create_table(
        'broadcast',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('event_id', sa.Integer(), nullable=False),
        sa.Column('kind', sa.String(length=24), nullable=False),
        sa.Column('audience', sa.String(length=32), nullable=False),
        sa.Column('status', sa.String(length=16), nullable=False),
        sa.Column('due_at', eventsvc.models.types.UTCDateTime(timezone=True), nullable=False),
        sa.Column('payload', sa.JSON(), nullable=False),
        sa.Column('upto_registration_id', sa.Integer(), nullable=True),
        sa.Column('cursor', sa.Integer(), nullable=False),
        sa.Column('written', sa.Integer(), nullable=False),
        sa.Column('created_at', eventsvc.models.types.UTCDateTime(timezone=True), nullable=False),
        sa.Column('finished_at', eventsvc.models.types.UTCDateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(['event_id'], ['event.id'], ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('id'),
    )
    with op.batch_alter_table('broadcast', schema=None) as batch_op:
        batch_op.create_index('ix_broadcast_due', ['status', 'due_at', 'id'], unique=False)
        batch_op.create_index(batch_op.f('ix_broadcast_event_id'), ['event_id'], unique=False)
    with op.batch_alter_table('outbox_message', schema=None) as batch_op:
        batch_op.add_column(sa.Column('broadcast_id', sa.Integer(), nullable=True))
        batch_op.create_foreign_key(
            'fk_outbox_message_broadcast_id', 'broadcast', ['broadcast_id'], ['id'], ondelete='CASCADE'
        )
        batch_op.create_unique_constraint('uq_outbox_delivery', ['broadcast_id', 'registration_id'])
    with op.batch_alter_table('registration', schema=None) as batch_op:
        batch_op.create_index(
            'ix_registration_audience', ['event_id', 'status', 'language', 'anonymised_at'], unique=False
        )
    with op.batch_alter_table('event', schema=None) as batch_op:
        batch_op.add_column(sa.Column('reminder_offsets', sa.JSON(), nullable=True))
        batch_op.add_column(sa.Column('reminder_texts', sa.JSON(), server_default=sa.text("'{}'"), nullable=False))
    _reminders_to_broadcasts()


def _reminders_to_broadcasts():
    bind = op.get_bind()
    meta = sa.MetaData()
    when = eventsvc.models.types.UTCDateTime(timezone=True)
    event = sa.Table(
        'event', meta,
        sa.Column('id', sa.Integer), sa.Column('starts_at', when), sa.Column('status', sa.String),
    )
    outbox = sa.Table(
        'outbox_message', meta,
        sa.Column('id', sa.Integer), sa.Column('kind', sa.String), sa.Column('status', sa.String),
        sa.Column('event_id', sa.Integer), sa.Column('registration_id', sa.Integer),
        sa.Column('due_at', when), sa.Column('last_error', sa.Text),
    )
    broadcast = sa.Table(
        'broadcast', meta,
        sa.Column('id', sa.Integer), sa.Column('event_id', sa.Integer),
        sa.Column('kind', sa.String), sa.Column('audience', sa.String),
        sa.Column('status', sa.String), sa.Column('due_at', when), sa.Column('payload', sa.JSON),
        sa.Column('cursor', sa.Integer), sa.Column('written', sa.Integer),
        sa.Column('created_at', when),
    )
    now = datetime.now(UTC)
    pending = bind.execute(
        sa.select(outbox.c.event_id, outbox.c.due_at, event.c.starts_at)
        .join(event, event.c.id == outbox.c.event_id)
        .where(outbox.c.kind == 'reminder', outbox.c.status == 'pending')
        .group_by(outbox.c.event_id, outbox.c.due_at, event.c.starts_at)
    ).all()
    rows = []
    for event_id, due_at, starts_at in pending:
        offset = round((starts_at - due_at).total_seconds() / 60)
        rows.append((event_id, due_at, offset))
    covered = {event_id for event_id, _, _ in rows}
    ahead = bind.execute(
        sa.select(event.c.id, event.c.starts_at).where(
            event.c.status == 'published', event.c.starts_at > now
        )
    ).all()
    for event_id, starts_at in ahead:
        if event_id in covered:
            continue
        for offset in DEFAULT_OFFSETS:
            due_at = starts_at - timedelta(minutes=offset)
            if due_at > now:
                rows.append((event_id, due_at, offset))
    if rows:
        bind.execute(
            broadcast.insert(),
            [
                {
                    'event_id': event_id, 'kind': 'reminder', 'audience': 'reminder',
                    'status': 'scheduled', 'due_at': due_at, 'payload': {'offset': offset},
                    'cursor': 0, 'written': 0, 'created_at': now,
                }
                for event_id, due_at, offset in rows
            ],
        )
    bind.execute(
        outbox.update()
        .where(outbox.c.kind == 'reminder', outbox.c.status == 'pending')
        .values(status='cancelled', last_error='Replaced by the event\'s reminder broadcast.')
    )


def downgrade():
    with op.batch_alter_table('registration', schema=None) as batch_op:
        batch_op.drop_index('ix_registration_audience')
    with op.batch_alter_table('event', schema=None) as batch_op:
        batch_op.drop_column('reminder_texts')
        batch_op.drop_column('reminder_offsets')
    with op.batch_alter_table('outbox_message', schema=None) as batch_op:
        batch_op.drop_constraint('uq_outbox_delivery', type_='unique')
        batch_op.drop_constraint('fk_outbox_message_broadcast_id', type_='foreignkey')
        batch_op.drop_column('broadcast_id')
    with op.batch_alter_table('broadcast', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_broadcast_event_id'))
        batch_op.drop_index('ix_broadcast_due')
    op.drop_table('broadcast')
