"""d: the locales each event needs texts in to be published, apart from the interface's

Revision ID: d7e8f9a0b1c2
Revises: d5e6f7a8b9c0
Create Date: 2026-11-30 07:40:00.000000

Until now every supported locale was required; the default was English and French, so events
stored before this revision need exactly those (besides their floor language, which
``Event.publish_locales`` adds). A locale added to ``SUPPORTED_LOCALES`` later is then one
more column to fill if wanted, never a reason an event cannot be saved.
"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'd7e8f9a0b1c2'
down_revision = 'd5e6f7a8b9c0'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('event', schema=None) as batch_op:
        batch_op.add_column(sa.Column('required_locales', sa.JSON(), server_default=sa.text('\'["en", "fr"]\''), nullable=False))


def downgrade():
    with op.batch_alter_table('event', schema=None) as batch_op:
        batch_op.drop_column('required_locales')
