"""closed weeks keep their books

A closed week keeps, next to its statement, the per-day totals, the limit and each slot's counted
minutes as its close fixed them, so no later change reprices it. Weeks closed before this revision
get theirs from `tally db upgrade`, which fills them in right after the migrations, computed
exactly as the timesheet showed them before the upgrade.

Revision ID: 0004
Revises: 0003
Create Date: 2026-12-04 17:00:00.000000
"""

from alembic import op
import sqlalchemy as sa


revision = '0004'
down_revision = '0003'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('week_review', schema=None) as batch_op:
        batch_op.add_column(sa.Column('books', sa.JSON(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table('week_review', schema=None) as batch_op:
        batch_op.drop_column('books')
