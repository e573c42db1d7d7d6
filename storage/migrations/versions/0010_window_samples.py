"""window samples: the focused window once a minute

A slot keeps the agent's per-minute samples of the focused window (app and title, or null for a
minute without one) as JSON, recorded only under `window=on`. Nothing to backfill: a slot recorded
before keeps its one window (read at the screenshot), which the apps report takes as that slot's
sample, exactly as for an agent that does not sample per minute yet.

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-04 20:40:00.000000
"""

from alembic import op
import sqlalchemy as sa


revision = '0010'
down_revision = '0009'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('slot', schema=None) as batch_op:
        batch_op.add_column(sa.Column('windows', sa.JSON(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table('slot', schema=None) as batch_op:
        batch_op.drop_column('windows')
