"""c2: attendance from the meeting platform's reports, and each event's attendance rule

Revision ID: c2a7d4e1f9b3
Revises: e8f9a0b1c2d3
Create Date: 2026-11-30 10:30:00

"""
from alembic import op
import sqlalchemy as sa

from eventsvc.models.types import UTCDateTime


# revision identifiers, used by Alembic.
revision = 'c2a7d4e1f9b3'
down_revision = 'e8f9a0b1c2d3'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('event', schema=None) as batch_op:
        batch_op.add_column(sa.Column('attended_minutes', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('attended_percent', sa.Integer(), server_default='50', nullable=False))

    op.create_table('attendance_report',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('event_id', sa.Integer(), nullable=False),
        sa.Column('format', sa.Enum('zoom', 'teams', 'bbb', 'generic', name='reportformat', native_enum=False, length=16), nullable=False),
        sa.Column('content_sha256', sa.String(length=64), nullable=False),
        sa.Column('filename', sa.String(length=255), nullable=False),
        sa.Column('timezone', sa.String(length=64), nullable=False),
        sa.Column('uploaded_at', UTCDateTime(), nullable=False),
        sa.Column('uploaded_by_id', sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(['event_id'], ['event.id'], ondelete='CASCADE'),
        sa.ForeignKeyConstraint(['uploaded_by_id'], ['organiser.id'], ondelete='SET NULL'),
        sa.PrimaryKeyConstraint('id'),
        sa.UniqueConstraint('event_id', 'content_sha256'),
    )
    with op.batch_alter_table('attendance_report', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_attendance_report_event_id'), ['event_id'], unique=False)

    op.create_table('attendance_row',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('report_id', sa.Integer(), nullable=False),
        sa.Column('event_id', sa.Integer(), nullable=False),
        sa.Column('line', sa.Integer(), nullable=False),
        sa.Column('name', sa.String(length=200), nullable=False),
        sa.Column('email', sa.String(length=254), nullable=False),
        sa.Column('joined_at', UTCDateTime(), nullable=True),
        sa.Column('left_at', UTCDateTime(), nullable=True),
        sa.Column('minutes', sa.Integer(), nullable=False),
        sa.Column('state', sa.Enum('matched', 'unmatched', 'ignored', name='rowstate', native_enum=False, length=16), nullable=False),
        sa.Column('registration_id', sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(['event_id'], ['event.id'], ondelete='CASCADE'),
        sa.ForeignKeyConstraint(['registration_id'], ['registration.id'], ondelete='SET NULL'),
        sa.ForeignKeyConstraint(['report_id'], ['attendance_report.id'], ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('id'),
    )
    with op.batch_alter_table('attendance_row', schema=None) as batch_op:
        batch_op.create_index('ix_attendance_row_event_state', ['event_id', 'state'], unique=False)
        batch_op.create_index(batch_op.f('ix_attendance_row_registration_id'), ['registration_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_attendance_row_report_id'), ['report_id'], unique=False)

    op.create_table('attendance',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('registration_id', sa.Integer(), nullable=False),
        sa.Column('event_id', sa.Integer(), nullable=False),
        sa.Column('minutes', sa.Integer(), nullable=False),
        sa.Column('first_joined_at', UTCDateTime(), nullable=True),
        sa.Column('last_joined_at', UTCDateTime(), nullable=True),
        sa.Column('attended', sa.Boolean(), nullable=False),
        sa.Column('updated_at', UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(['event_id'], ['event.id'], ondelete='CASCADE'),
        sa.ForeignKeyConstraint(['registration_id'], ['registration.id'], ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('id'),
        sa.UniqueConstraint('registration_id'),
    )
    with op.batch_alter_table('attendance', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_attendance_event_id'), ['event_id'], unique=False)


def downgrade():
    with op.batch_alter_table('attendance', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_attendance_event_id'))
    op.drop_table('attendance')
    with op.batch_alter_table('attendance_row', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_attendance_row_report_id'))
        batch_op.drop_index(batch_op.f('ix_attendance_row_registration_id'))
        batch_op.drop_index('ix_attendance_row_event_state')
    op.drop_table('attendance_row')
    with op.batch_alter_table('attendance_report', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_attendance_report_event_id'))
    op.drop_table('attendance_report')
    with op.batch_alter_table('event', schema=None) as batch_op:
        batch_op.drop_column('attended_percent')
        batch_op.drop_column('attended_minutes')
