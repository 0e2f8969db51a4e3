"""c1 join links: when each registrant's personal join link was opened, and the event's join
settings (opening before the start, grace after the end, recording, panelists' address)

Revision ID: c1a7b3d9e2f4
Revises: b1c2d3e4f5a6
Create Date: 2026-11-30 10:40:00

"""
from alembic import op
import sqlalchemy as sa

import eventsvc.models.types


# revision identifiers, used by Alembic.
revision = 'c1a7b3d9e2f4'
down_revision = 'b1c2d3e4f5a6'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('registration', schema=None) as batch_op:
        batch_op.add_column(sa.Column('join_first_at', eventsvc.models.types.UTCDateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column('join_last_at', eventsvc.models.types.UTCDateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column('join_count', sa.Integer(), server_default='0', nullable=False))
    with op.batch_alter_table('event', schema=None) as batch_op:
        batch_op.add_column(sa.Column('join_opens_minutes', sa.Integer(), server_default='30', nullable=False))
        batch_op.add_column(sa.Column('join_grace_minutes', sa.Integer(), server_default='30', nullable=False))
        batch_op.add_column(sa.Column('recording_url', sa.String(length=500), server_default='', nullable=False))
        batch_op.add_column(sa.Column('panelist_url', sa.String(length=500), server_default='', nullable=False))


def downgrade():
    with op.batch_alter_table('event', schema=None) as batch_op:
        batch_op.drop_column('panelist_url')
        batch_op.drop_column('recording_url')
        batch_op.drop_column('join_grace_minutes')
        batch_op.drop_column('join_opens_minutes')
    with op.batch_alter_table('registration', schema=None) as batch_op:
        batch_op.drop_column('join_count')
        batch_op.drop_column('join_last_at')
        batch_op.drop_column('join_first_at')
