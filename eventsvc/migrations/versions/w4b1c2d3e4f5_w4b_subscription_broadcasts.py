"""w4b: new-event notices and digests to subscribers are broadcasts too

Revision ID: w4b1c2d3e4f5
Revises: w4c1a2b3c4d5
Create Date: 2026-11-30 11:55:00.000000

A broadcast may be about no one event (the week's digest of new events), and its deliveries to
subscriptions are kept to one per subscription by a unique key (broadcast, subscription), as
those to registrations are by (broadcast, registration). The per-subscriber notices already
written go out as before; the per-subscriber digests still pending become the week's one digest
broadcast (their events, each added when its first row was written), so nobody gets two digests
on the Monday after the upgrade.
"""
from datetime import UTC, datetime

from alembic import op
import sqlalchemy as sa

import eventsvc.models.types


# revision identifiers, used by Alembic.
revision = 'w4b1c2d3e4f5'
down_revision = 'w4c1a2b3c4d5'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('broadcast', schema=None) as batch_op:
        batch_op.alter_column('event_id', existing_type=sa.Integer(), nullable=True)
    with op.batch_alter_table('outbox_message', schema=None) as batch_op:
        batch_op.create_unique_constraint(
            'uq_outbox_subscription_delivery', ['broadcast_id', 'subscription_id']
        )
    _digests_to_a_broadcast()


def _digests_to_a_broadcast():
    bind = op.get_bind()
    meta = sa.MetaData()
    when = eventsvc.models.types.UTCDateTime(timezone=True)
    outbox = sa.Table(
        'outbox_message', meta,
        sa.Column('id', sa.Integer), sa.Column('kind', sa.String), sa.Column('status', sa.String),
        sa.Column('subscription_id', sa.Integer), sa.Column('due_at', when),
        sa.Column('payload', sa.JSON), sa.Column('created_at', when),
        sa.Column('last_error', sa.Text),
    )
    broadcast = sa.Table(
        'broadcast', meta,
        sa.Column('id', sa.Integer), sa.Column('event_id', sa.Integer),
        sa.Column('kind', sa.String), sa.Column('audience', sa.String),
        sa.Column('status', sa.String), sa.Column('due_at', when), sa.Column('payload', sa.JSON),
        sa.Column('cursor', sa.Integer), sa.Column('written', sa.Integer),
        sa.Column('created_at', when),
    )
    pending = bind.execute(
        sa.select(outbox.c.due_at, outbox.c.payload, outbox.c.created_at)
        .where(outbox.c.kind == 'digest', outbox.c.status == 'pending')
        .order_by(outbox.c.created_at, outbox.c.id)
    ).all()
    if not pending:
        return
    added = {}
    for _due_at, payload, created_at in pending:
        for event_id in (payload or {}).get('events', []):
            added.setdefault(int(event_id), created_at)
    bind.execute(
        broadcast.insert().values(
            event_id=None, kind='digest', audience='digest_subscribers', status='scheduled',
            due_at=min(due_at for due_at, _p, _c in pending),
            payload={'events': [[i, at.isoformat()] for i, at in added.items()]},
            cursor=0, written=0, created_at=datetime.now(UTC),
        )
    )
    bind.execute(
        outbox.update()
        .where(outbox.c.kind == 'digest', outbox.c.status == 'pending')
        .values(status='cancelled', last_error="Replaced by the week's digest broadcast.")
    )


def downgrade():
    with op.batch_alter_table('outbox_message', schema=None) as batch_op:
        batch_op.drop_constraint('uq_outbox_subscription_delivery', type_='unique')
    op.execute(sa.text("DELETE FROM broadcast WHERE event_id IS NULL"))
    with op.batch_alter_table('broadcast', schema=None) as batch_op:
        batch_op.alter_column('event_id', existing_type=sa.Integer(), nullable=False)
