"""b1: an event's own registration questions, their options, and registrants' answers

Revision ID: b1c2d3e4f5a6
Revises: e8f9a0b1c2d3
Create Date: 2026-11-30 10:30:00

Answers are typed (a column per kind of value) and the options chosen are rows of
``answer_choice``, so that answers can be counted and filtered in SQL on SQLite and PostgreSQL.
"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'b1c2d3e4f5a6'
down_revision = 'e8f9a0b1c2d3'
branch_labels = None
depends_on = None

QUESTION_TYPES = (
    'text', 'long_text', 'single_choice', 'multiple_choice', 'boolean', 'number', 'date',
    'country', 'checkbox', 'accessibility',
)


def upgrade():
    op.create_table('question',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('event_id', sa.Integer(), nullable=False),
    sa.Column('key', sa.String(length=40), nullable=False),
    sa.Column('type', sa.Enum(*QUESTION_TYPES, name='questiontype', native_enum=False, length=20), nullable=False),
    sa.Column('labels', sa.JSON(), nullable=False),
    sa.Column('help', sa.JSON(), nullable=False),
    sa.Column('required', sa.Boolean(), nullable=False),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.Column('sensitive', sa.Boolean(), server_default=sa.false(), nullable=False),
    sa.Column('retired', sa.Boolean(), server_default=sa.false(), nullable=False),
    sa.Column('min_value', sa.Integer(), nullable=True),
    sa.Column('max_value', sa.Integer(), nullable=True),
    sa.Column('show_if_question', sa.String(length=40), nullable=True),
    sa.Column('show_if_choices', sa.JSON(), nullable=False),
    sa.ForeignKeyConstraint(['event_id'], ['event.id'], name=op.f('fk_question_event_id_event'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_question')),
    sa.UniqueConstraint('event_id', 'key', name=op.f('uq_question_event_id'))
    )
    op.create_table('question_choice',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('question_id', sa.Integer(), nullable=False),
    sa.Column('key', sa.String(length=40), nullable=False),
    sa.Column('labels', sa.JSON(), nullable=False),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.Column('places', sa.Integer(), nullable=True),
    sa.Column('retired', sa.Boolean(), server_default=sa.false(), nullable=False),
    sa.ForeignKeyConstraint(['question_id'], ['question.id'], name=op.f('fk_question_choice_question_id_question'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_question_choice')),
    sa.UniqueConstraint('question_id', 'key', name=op.f('uq_question_choice_question_id'))
    )
    op.create_table('answer',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('registration_id', sa.Integer(), nullable=False),
    sa.Column('question_id', sa.Integer(), nullable=False),
    sa.Column('text_value', sa.Text(), nullable=True),
    sa.Column('number_value', sa.Integer(), nullable=True),
    sa.Column('date_value', sa.Date(), nullable=True),
    sa.Column('bool_value', sa.Boolean(), nullable=True),
    sa.Column('detail', sa.String(length=16), nullable=True),
    sa.ForeignKeyConstraint(['question_id'], ['question.id'], name=op.f('fk_answer_question_id_question'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['registration_id'], ['registration.id'], name=op.f('fk_answer_registration_id_registration'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_answer')),
    sa.UniqueConstraint('registration_id', 'question_id', name=op.f('uq_answer_registration_id'))
    )
    with op.batch_alter_table('answer', schema=None) as batch_op:
        batch_op.create_index('ix_answer_question_id', ['question_id'], unique=False)

    op.create_table('answer_choice',
    sa.Column('answer_id', sa.Integer(), nullable=False),
    sa.Column('choice_id', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['answer_id'], ['answer.id'], name=op.f('fk_answer_choice_answer_id_answer'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['choice_id'], ['question_choice.id'], name=op.f('fk_answer_choice_choice_id_question_choice'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('answer_id', 'choice_id', name=op.f('pk_answer_choice'))
    )
    with op.batch_alter_table('answer_choice', schema=None) as batch_op:
        batch_op.create_index('ix_answer_choice_choice_id', ['choice_id'], unique=False)


def downgrade():
    with op.batch_alter_table('answer_choice', schema=None) as batch_op:
        batch_op.drop_index('ix_answer_choice_choice_id')
    op.drop_table('answer_choice')
    with op.batch_alter_table('answer', schema=None) as batch_op:
        batch_op.drop_index('ix_answer_question_id')
    op.drop_table('answer')
    op.drop_table('question_choice')
    op.drop_table('question')
