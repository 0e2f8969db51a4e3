"""registration link secret

Every existing registration gets a random ``link_secret`` and the ``legacy_links`` flag, under
which its old links (the id signed with SECRET_KEY) keep working; registrations created later
never get the flag, so after a restore an old link cannot open a new registration.

Revision ID: c4d1e2f3a5b6
Revises: 7ab6480e62d5
Create Date: 2026-11-30 04:20:00

"""
import secrets

from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'c4d1e2f3a5b6'
down_revision = 'c41e2d0a9b57'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('registration', schema=None) as batch_op:
        batch_op.add_column(sa.Column('link_secret', sa.String(length=64), nullable=True))
        batch_op.add_column(sa.Column('legacy_links', sa.Boolean(), server_default=sa.false(), nullable=False))

    connection = op.get_bind()
    registration = sa.table(
        'registration',
        sa.column('id', sa.Integer()),
        sa.column('link_secret', sa.String()),
        sa.column('legacy_links', sa.Boolean()),
    )
    ids = connection.execute(sa.select(registration.c.id)).scalars().all()
    if ids:
        connection.execute(
            registration.update()
            .where(registration.c.id == sa.bindparam('row_id'))
            .values(link_secret=sa.bindparam('secret'), legacy_links=True),
            [{'row_id': row_id, 'secret': secrets.token_urlsafe(32)} for row_id in ids],
        )

    with op.batch_alter_table('registration', schema=None) as batch_op:
        batch_op.alter_column('link_secret', existing_type=sa.String(length=64), nullable=False)


def downgrade():
    with op.batch_alter_table('registration', schema=None) as batch_op:
        batch_op.drop_column('legacy_links')
        batch_op.drop_column('link_secret')
