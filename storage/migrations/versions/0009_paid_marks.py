"""paid marks: the client marked a week's available amount paid

One row per mark, with the amount that was available then and when it was marked. Nothing to
backfill: no week was marked paid before this revision, so every closed week's amount is pending
or available, as its dates and review say.

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-04 20:40:00.000000
"""

from alembic import op
import sqlalchemy as sa
import sqlmodel
import storage.types


revision = '0009'
down_revision = '0008'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        'paid_mark',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('contract_id', sa.Integer(), nullable=False),
        sa.Column('week_start', sa.Date(), nullable=False),
        sa.Column('seq', sa.Integer(), nullable=False),
        sa.Column('amount', sa.Numeric(precision=14, scale=2), nullable=False),
        sa.Column('currency', sqlmodel.sql.sqltypes.AutoString(length=3), nullable=False),
        sa.Column('paid_at', storage.types.UTCDateTime(timezone=True), nullable=False),
        sa.Column('by_member_id', sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(['contract_id'], ['contract.id'], ),
        sa.ForeignKeyConstraint(['by_member_id'], ['member.id'], ),
        sa.PrimaryKeyConstraint('id'),
        sa.UniqueConstraint('contract_id', 'week_start', 'seq'),
    )
    op.create_index(op.f('ix_paid_mark_contract_id'), 'paid_mark', ['contract_id'], unique=False)


def downgrade() -> None:
    op.drop_index(op.f('ix_paid_mark_contract_id'), table_name='paid_mark')
    op.drop_table('paid_mark')
