"""w4c embed origins: the origins allowed to frame one event's embed pages (empty: the site's
EMBED_ALLOWED_ORIGINS)

Revision ID: w4c1a2b3c4d5
Revises: h1b2c3d4e5f6
Create Date: 2026-11-30 11:45:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'w4c1a2b3c4d5'
down_revision = 'h1b2c3d4e5f6'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('event', schema=None) as batch_op:
        batch_op.add_column(sa.Column('embed_origins', sa.JSON(), server_default=sa.text("'[]'"), nullable=False))


def downgrade():
    with op.batch_alter_table('event', schema=None) as batch_op:
        batch_op.drop_column('embed_origins')
