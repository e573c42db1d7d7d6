"""slot tracked minutes, and an index the week close reads alone

Each slot keeps how many of its minutes lay inside the session (the minutes not sent as null),
derived at ingest like its active minutes, so the week close reads a column instead of counting
nulls in every slot's JSON; existing slots are filled in here by the same count. The new index
holds every column the week close reads, so it never looks up the table itself.

Revision ID: 0003
Revises: 0002
Create Date: 2026-12-03 18:20:00.000000
"""

from alembic import op
import sqlalchemy as sa


revision = '0003'
down_revision = '0002'
branch_labels = None
depends_on = None

# Ten minutes less the nulls in the JSON text (each "null" is four characters), written out here
# rather than imported, so this revision keeps meaning what it meant when it was written.
FILL = """
UPDATE slot SET tracked_minutes =
    10 - (length(CAST(minutes AS TEXT)) - length(replace(CAST(minutes AS TEXT), 'null', ''))) / 4
WHERE NOT manual AND minutes IS NOT NULL
"""
WEEK_COLUMNS = ['contract_id', 'start', 'deleted_at', 'session_id', 'screenshot_at', 'active_minutes', 'manual',
                'tracked_minutes']


def upgrade() -> None:
    with op.batch_alter_table('slot', schema=None) as batch_op:
        batch_op.add_column(sa.Column('tracked_minutes', sa.Integer(), nullable=False, server_default='0'))
    op.execute(FILL)
    with op.batch_alter_table('slot', schema=None) as batch_op:
        batch_op.create_index('ix_slot_week', WEEK_COLUMNS, unique=False)


def downgrade() -> None:
    with op.batch_alter_table('slot', schema=None) as batch_op:
        batch_op.drop_index('ix_slot_week')
        batch_op.drop_column('tracked_minutes')
