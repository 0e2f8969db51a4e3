"""uxo: announcements can be scheduled (send_at) and withdrawn before they go (cancelled_at);
partners have a logo (image bytes and their media type)

Revision ID: b3c9e1f2a7d4
Revises: 7ab6480e62d5
Create Date: 2026-11-30 04:35:00.000000

"""
from alembic import op
import sqlalchemy as sa
import eventsvc.models.types


# revision identifiers, used by Alembic.
revision = 'b3c9e1f2a7d4'
down_revision = 'b3c1d2e4f5a6'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('announcement', schema=None) as batch_op:
        batch_op.add_column(sa.Column('send_at', eventsvc.models.types.UTCDateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column('cancelled_at', eventsvc.models.types.UTCDateTime(timezone=True), nullable=True))
    with op.batch_alter_table('partner', schema=None) as batch_op:
        batch_op.add_column(sa.Column('logo', sa.LargeBinary(), nullable=True))
        batch_op.add_column(sa.Column('logo_type', sa.String(length=32), nullable=False, server_default=''))


def downgrade():
    with op.batch_alter_table('partner', schema=None) as batch_op:
        batch_op.drop_column('logo_type')
        batch_op.drop_column('logo')
    with op.batch_alter_table('announcement', schema=None) as batch_op:
        batch_op.drop_column('cancelled_at')
        batch_op.drop_column('send_at')
