"""paid mark undo: a client who marked a week paid by mistake takes the mark back

Two nullable columns on `paid_mark`: when the mark was taken back and by whom. Nothing to
backfill: every mark made before this revision stands, as it did.

Revision ID: 0012
Revises: 0011
Create Date: 2026-12-05 13:20:00.000000
"""

from alembic import op
import sqlalchemy as sa
import storage.types


revision = '0012'
down_revision = '0011'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('paid_mark') as table:
        table.add_column(sa.Column('undone_at', storage.types.UTCDateTime(timezone=True), nullable=True))
        table.add_column(sa.Column('undone_by_member_id', sa.Integer(), nullable=True))
        table.create_foreign_key('fk_paid_mark_undone_by_member_id', 'member', ['undone_by_member_id'], ['id'])


def downgrade() -> None:
    # A mark that was taken back must not count as paid once the column that says so is gone.
    op.execute(sa.text('DELETE FROM paid_mark WHERE undone_at IS NOT NULL'))
    with op.batch_alter_table('paid_mark') as table:
        table.drop_constraint('fk_paid_mark_undone_by_member_id', type_='foreignkey')
        table.drop_column('undone_by_member_id')
        table.drop_column('undone_at')
