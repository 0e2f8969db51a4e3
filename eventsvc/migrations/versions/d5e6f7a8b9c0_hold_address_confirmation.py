"""hold: "confirm your address" mode per event, held places per registration

Revision ID: d5e6f7a8b9c0
Revises: c4d5e6f7a8b9
Create Date: 2026-11-30 05:15:00.000000

"""
from alembic import op
import sqlalchemy as sa
import eventsvc.models.types


# revision identifiers, used by Alembic.
revision = 'd5e6f7a8b9c0'
down_revision = 'c4d5e6f7a8b9'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('event', schema=None) as batch_op:
        batch_op.add_column(sa.Column('confirm_address', sa.Boolean(), server_default=sa.false(), nullable=False))

    with op.batch_alter_table('registration', schema=None) as batch_op:
        batch_op.add_column(sa.Column('address_hold_until', eventsvc.models.types.UTCDateTime(timezone=True), nullable=True))


def downgrade():
    with op.batch_alter_table('registration', schema=None) as batch_op:
        batch_op.drop_column('address_hold_until')

    with op.batch_alter_table('event', schema=None) as batch_op:
        batch_op.drop_column('confirm_address')
