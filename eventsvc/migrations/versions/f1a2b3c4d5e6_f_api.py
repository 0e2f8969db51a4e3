"""f: API tokens, webhook endpoints and their deliveries (issue 19)

Revision ID: f1a2b3c4d5e6
Revises: c1a7b3d9e2f4
Create Date: 2026-11-30 10:46:48.946596

"""
from alembic import op
import sqlalchemy as sa
import eventsvc.models.types


# revision identifiers, used by Alembic.
revision = 'f1a2b3c4d5e6'
down_revision = 'c1a7b3d9e2f4'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('api_token',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('organiser_id', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=100), nullable=False),
    sa.Column('scope', sa.Enum('read', 'write', name='tokenscope', native_enum=False, length=8), nullable=False),
    sa.Column('token_hash', sa.String(length=64), nullable=False),
    sa.Column('prefix', sa.String(length=16), nullable=False),
    sa.Column('created_at', eventsvc.models.types.UTCDateTime(timezone=True), nullable=False),
    sa.Column('last_used_at', eventsvc.models.types.UTCDateTime(timezone=True), nullable=True),
    sa.Column('revoked_at', eventsvc.models.types.UTCDateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['organiser_id'], ['organiser.id'], name=op.f('fk_api_token_organiser_id_organiser'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_api_token')),
    sa.UniqueConstraint('token_hash', name=op.f('uq_api_token_token_hash'))
    )
    with op.batch_alter_table('api_token', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_api_token_organiser_id'), ['organiser_id'], unique=False)

    op.create_table('webhook_endpoint',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('organiser_id', sa.Integer(), nullable=True),
    sa.Column('url', sa.String(length=500), nullable=False),
    sa.Column('event_types', sa.JSON(), nullable=False),
    sa.Column('secret', sa.String(length=100), nullable=False),
    sa.Column('active', sa.Boolean(), server_default=sa.true(), nullable=False),
    sa.Column('disabled_at', eventsvc.models.types.UTCDateTime(timezone=True), nullable=True),
    sa.Column('disabled_reason', sa.String(length=16), server_default='', nullable=False),
    sa.Column('created_at', eventsvc.models.types.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['organiser_id'], ['organiser.id'], name=op.f('fk_webhook_endpoint_organiser_id_organiser'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_webhook_endpoint'))
    )
    with op.batch_alter_table('webhook_endpoint', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_webhook_endpoint_organiser_id'), ['organiser_id'], unique=False)

    op.create_table('webhook_delivery',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('endpoint_id', sa.Integer(), nullable=False),
    sa.Column('message_id', sa.String(length=40), nullable=False),
    sa.Column('event_type', sa.String(length=40), nullable=False),
    sa.Column('payload', sa.JSON(), nullable=False),
    sa.Column('status', sa.Enum('pending', 'delivered', 'failed', name='deliverystatus', native_enum=False, length=16), nullable=False),
    sa.Column('attempts', sa.Integer(), server_default='0', nullable=False),
    sa.Column('next_attempt_at', eventsvc.models.types.UTCDateTime(timezone=True), nullable=True),
    sa.Column('claimed_until', eventsvc.models.types.UTCDateTime(timezone=True), nullable=True),
    sa.Column('last_attempt_at', eventsvc.models.types.UTCDateTime(timezone=True), nullable=True),
    sa.Column('last_status_code', sa.Integer(), nullable=True),
    sa.Column('last_response', sa.Text(), server_default='', nullable=False),
    sa.Column('created_at', eventsvc.models.types.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['endpoint_id'], ['webhook_endpoint.id'], name=op.f('fk_webhook_delivery_endpoint_id_webhook_endpoint'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_webhook_delivery')),
    sa.UniqueConstraint('message_id', name=op.f('uq_webhook_delivery_message_id'))
    )
    with op.batch_alter_table('webhook_delivery', schema=None) as batch_op:
        batch_op.create_index('ix_webhook_delivery_due', ['status', 'next_attempt_at'], unique=False)
        batch_op.create_index(batch_op.f('ix_webhook_delivery_endpoint_id'), ['endpoint_id'], unique=False)



def downgrade():
    with op.batch_alter_table('webhook_delivery', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_webhook_delivery_endpoint_id'))
        batch_op.drop_index('ix_webhook_delivery_due')

    op.drop_table('webhook_delivery')
    with op.batch_alter_table('webhook_endpoint', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_webhook_endpoint_organiser_id'))

    op.drop_table('webhook_endpoint')
    with op.batch_alter_table('api_token', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_api_token_organiser_id'))

    op.drop_table('api_token')
