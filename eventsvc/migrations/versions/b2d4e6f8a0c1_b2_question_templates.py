"""b2: question templates, named sets of registration questions applied to other events

Revision ID: b2d4e6f8a0c1
Revises: e4a5b6c7d8e9
Create Date: 2026-11-30 10:30:00

"""
from alembic import op
import sqlalchemy as sa
import eventsvc.models.types


# revision identifiers, used by Alembic.
revision = 'b2d4e6f8a0c1'
down_revision = 'e4a5b6c7d8e9'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        'question_template',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('name', sa.String(length=120), nullable=False),
        sa.Column('items', sa.JSON(), nullable=False),
        sa.Column('created_by_id', sa.Integer(), nullable=True),
        sa.Column('created_at', eventsvc.models.types.UTCDateTime(timezone=True), nullable=False),
        sa.Column('updated_at', eventsvc.models.types.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(['created_by_id'], ['organiser.id'], ondelete='SET NULL'),
        sa.PrimaryKeyConstraint('id'),
        sa.UniqueConstraint('name'),
    )


def downgrade():
    op.drop_table('question_template')
