"""d follow-up and certificates: the organisers' follow-up per event, certificates per attendee

Revision ID: d0f1a2b3c4d5
Revises: b2d4e6f8a0c1
Create Date: 2026-11-30 10:40:00

"""
from alembic import op
import sqlalchemy as sa

from eventsvc.models.types import UTCDateTime


# revision identifiers, used by Alembic.
revision = 'd0f1a2b3c4d5'
down_revision = 'b2d4e6f8a0c1'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        'follow_up',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('event_id', sa.Integer(), nullable=False),
        sa.Column('texts', sa.JSON(), nullable=False),
        sa.Column('recording_url', sa.String(length=500), nullable=False),
        sa.Column('survey_url', sa.String(length=500), nullable=False),
        sa.Column('slides_path', sa.String(length=255), nullable=False),
        sa.Column('slides_size', sa.Integer(), nullable=False),
        sa.Column('attach_certificate', sa.Boolean(), nullable=False),
        sa.Column('attended_send_at', UTCDateTime(), nullable=True),
        sa.Column('absent_send_at', UTCDateTime(), nullable=True),
        sa.Column('queued_at', UTCDateTime(), nullable=True),
        sa.Column('updated_at', UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(['event_id'], ['event.id'], ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('id'),
        sa.UniqueConstraint('event_id'),
    )
    op.create_table(
        'certificate',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('registration_id', sa.Integer(), nullable=False),
        sa.Column('code', sa.String(length=32), nullable=False),
        sa.Column('full_name', sa.String(length=200), nullable=False),
        sa.Column('minutes', sa.Integer(), nullable=True),
        sa.Column('issued_at', UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(['registration_id'], ['registration.id'], ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('id'),
        sa.UniqueConstraint('registration_id'),
        sa.UniqueConstraint('code'),
    )


def downgrade():
    op.drop_table('certificate')
    op.drop_table('follow_up')
