"""registration: the zone the browser gave, and "follows the floor language" as its own answer

Revision ID: 5c3e9a1b7d42
Revises: 7ab6480e62d5
Create Date: 2026-11-30 04:20:00.000000

Until now the form offered "No preference" (stored as NULL) and every language of the event,
the floor language included. Picking the floor language meant "I need no interpreter"; it is
now stored as 'floor', so that it stays true if the floor language is later changed, and NULL
keeps meaning what the form said: no preference.
"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '5c3e9a1b7d42'
down_revision = '7ab6480e62d5'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('registration', schema=None) as batch_op:
        batch_op.add_column(sa.Column('timezone', sa.String(length=64), server_default='', nullable=False))
    op.execute(
        "UPDATE registration SET interpretation_language = 'floor'"
        " WHERE interpretation_language = (SELECT event.floor_language FROM event"
        " WHERE event.id = registration.event_id)"
    )


def downgrade():
    op.execute(
        "UPDATE registration SET interpretation_language = (SELECT event.floor_language"
        " FROM event WHERE event.id = registration.event_id)"
        " WHERE interpretation_language = 'floor'"
    )
    with op.batch_alter_table('registration', schema=None) as batch_op:
        batch_op.drop_column('timezone')
