"""registration held index: every registration looks up the event's expired address holds

Revision ID: e8f9a0b1c2d3
Revises: c2f0a1b2c3d4
Create Date: 2026-11-30 09:30:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'e8f9a0b1c2d3'
down_revision = 'c2f0a1b2c3d4'
branch_labels = None
depends_on = None

HELD = sa.text('address_hold_until IS NOT NULL')


def upgrade():
    with op.batch_alter_table('registration', schema=None) as batch_op:
        batch_op.create_index(
            'ix_registration_held',
            ['event_id', 'address_hold_until'],
            unique=False,
            sqlite_where=HELD,
            postgresql_where=HELD,
        )


def downgrade():
    with op.batch_alter_table('registration', schema=None) as batch_op:
        batch_op.drop_index('ix_registration_held')
