"""cal: every event stores its calendar UID

Revision ID: c41e2d0a9b57
Revises: 7ab6480e62d5
Create Date: 2026-11-30 04:20:00.000000

New events get ``<random UUID>@<CALENDAR_DOMAIN>``, which no other installation and no restored
copy of this database can give another event. Existing events keep the UID their invites were
sent with, ``event-<id>@<domain>``, where the domain is the CALENDAR_DOMAIN configured (or the
former default ``eventsvc.localhost``): calendars then keep updating the same entries.
"""
from alembic import op
import sqlalchemy as sa
from flask import current_app

from eventsvc import identity


# revision identifiers, used by Alembic.
revision = 'c41e2d0a9b57'
down_revision = '5c3e9a1b7d42'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('event', schema=None) as batch_op:
        batch_op.add_column(sa.Column('calendar_uid', sa.String(length=255), nullable=True))

    domain = identity.configured_calendar_domain(current_app)
    op.execute(
        sa.text(
            "UPDATE event SET calendar_uid = 'event-' || CAST(id AS VARCHAR(20)) || '@' || :domain"
        ).bindparams(domain=domain)
    )

    with op.batch_alter_table('event', schema=None) as batch_op:
        batch_op.alter_column('calendar_uid', existing_type=sa.String(length=255), nullable=False)
        batch_op.create_unique_constraint(batch_op.f('uq_event_calendar_uid'), ['calendar_uid'])


def downgrade():
    with op.batch_alter_table('event', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('uq_event_calendar_uid'), type_='unique')
        batch_op.drop_column('calendar_uid')
