"""c2: registration.question renamed question_for_speakers, before "question" means more

Per-event registration questions (issue 16) are coming; the registrant's question for the
speakers keeps a name that cannot be taken for one of them.

Revision ID: c2f0a1b2c3d4
Revises: d7e8f9a0b1c2
Create Date: 2026-11-30 07:40:00.000000

"""
from alembic import op


# revision identifiers, used by Alembic.
revision = 'c2f0a1b2c3d4'
down_revision = 'd7e8f9a0b1c2'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('registration', schema=None) as batch_op:
        batch_op.alter_column('question', new_column_name='question_for_speakers')


def downgrade():
    with op.batch_alter_table('registration', schema=None) as batch_op:
        batch_op.alter_column('question_for_speakers', new_column_name='question')
