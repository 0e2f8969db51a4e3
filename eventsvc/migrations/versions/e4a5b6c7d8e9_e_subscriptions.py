"""e subscriptions: addresses that asked (double opt-in) to hear of new events; outbox rows to them

Revision ID: e4a5b6c7d8e9
Revises: c2a7d4e1f9b3
Create Date: 2026-11-30 10:55:00

"""
from alembic import op
import sqlalchemy as sa

import eventsvc.models.types


# revision identifiers, used by Alembic.
revision = 'e4a5b6c7d8e9'
down_revision = 'c2a7d4e1f9b3'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('subscription',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('email', sa.String(length=320), nullable=False),
    sa.Column('email_normalised', sa.String(length=320), nullable=False),
    sa.Column('languages', sa.JSON(), nullable=False),
    sa.Column('partner_ids', sa.JSON(), nullable=False),
    sa.Column('frequency', sa.String(length=16), nullable=False),
    sa.Column('status', sa.String(length=16), nullable=False),
    sa.Column('link_secret', sa.String(length=64), nullable=False),
    sa.Column('created_at', eventsvc.models.types.UTCDateTime(), nullable=False),
    sa.Column('confirmed_at', eventsvc.models.types.UTCDateTime(), nullable=True),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_subscription')),
    sa.UniqueConstraint('email_normalised', name=op.f('uq_subscription_email_normalised'))
    )
    with op.batch_alter_table('outbox_message', schema=None) as batch_op:
        batch_op.add_column(sa.Column('subscription_id', sa.Integer(), nullable=True))
        batch_op.create_index(batch_op.f('ix_outbox_message_subscription_id'), ['subscription_id'], unique=False)
        batch_op.create_foreign_key(batch_op.f('fk_outbox_message_subscription_id_subscription'), 'subscription', ['subscription_id'], ['id'], ondelete='CASCADE')


def downgrade():
    with op.batch_alter_table('outbox_message', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('fk_outbox_message_subscription_id_subscription'), type_='foreignkey')
        batch_op.drop_index(batch_op.f('ix_outbox_message_subscription_id'))
        batch_op.drop_column('subscription_id')
    op.drop_table('subscription')
