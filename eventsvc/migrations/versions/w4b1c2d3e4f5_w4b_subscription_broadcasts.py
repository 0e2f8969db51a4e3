"""w4b: new-event notices and digests to subscribers are broadcasts too

Revision ID: w4b1c2d3e4f5
Revises: h1b2c3d4e5f6
Create Date: 2026-11-30 11:55:00.000000

A broadcast may be about no one event (the week's digest of new events), and its deliveries to
subscriptions are kept to one per subscription by a unique key (broadcast, subscription), as
those to registrations are by (broadcast, registration). The per-subscriber notices and digests
already written stay as they are and go out as before.
"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'w4b1c2d3e4f5'
down_revision = 'h1b2c3d4e5f6'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('broadcast', schema=None) as batch_op:
        batch_op.alter_column('event_id', existing_type=sa.Integer(), nullable=True)
    with op.batch_alter_table('outbox_message', schema=None) as batch_op:
        batch_op.create_unique_constraint(
            'uq_outbox_subscription_delivery', ['broadcast_id', 'subscription_id']
        )


def downgrade():
    with op.batch_alter_table('outbox_message', schema=None) as batch_op:
        batch_op.drop_constraint('uq_outbox_subscription_delivery', type_='unique')
    op.execute(sa.text("DELETE FROM broadcast WHERE event_id IS NULL"))
    with op.batch_alter_table('broadcast', schema=None) as batch_op:
        batch_op.alter_column('event_id', existing_type=sa.Integer(), nullable=False)
