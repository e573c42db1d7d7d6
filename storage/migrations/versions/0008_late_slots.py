"""late slots: kept, marked late, billed once the client approves

A slot that arrives after its week's edit deadline used to be refused; now it is recorded with a
late request that the client approves or declines. The week close's covering index gains the
slot's late request, which the close reads to leave late slots out of their own week.

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-04 17:30:00.000000
"""

from alembic import op
import sqlalchemy as sa

import storage.types


revision = '0008'
down_revision = '0007'
branch_labels = None
depends_on = None

WEEK_COLUMNS = ['contract_id', 'start', 'deleted_at', 'session_id', 'screenshot_at', 'active_minutes', 'manual',
                'tracked_minutes']


def upgrade() -> None:
    op.create_table(
        'late_request',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('contract_id', sa.Integer(), nullable=False),
        sa.Column('week_start', sa.Date(), nullable=False),
        sa.Column('billed_week_start', sa.Date(), nullable=False),
        sa.Column('status', sa.String(length=16), nullable=False),
        sa.Column('requested_at', storage.types.UTCDateTime(timezone=True), nullable=False),
        sa.Column('decided_at', storage.types.UTCDateTime(timezone=True), nullable=True),
        sa.Column('decided_by', sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(['contract_id'], ['contract.id']),
        sa.ForeignKeyConstraint(['decided_by'], ['member.id']),
        sa.PrimaryKeyConstraint('id'),
    )
    with op.batch_alter_table('late_request', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_late_request_contract_id'), ['contract_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_late_request_billed_week_start'), ['billed_week_start'], unique=False)
    with op.batch_alter_table('slot', schema=None) as batch_op:
        batch_op.add_column(sa.Column('late_request_id', sa.Integer(), nullable=True))
        batch_op.create_foreign_key('fk_slot_late_request_id_late_request', 'late_request', ['late_request_id'], ['id'])
        batch_op.drop_index('ix_slot_week')
        batch_op.create_index('ix_slot_week', [*WEEK_COLUMNS, 'late_request_id'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('slot', schema=None) as batch_op:
        batch_op.drop_index('ix_slot_week')
        batch_op.create_index('ix_slot_week', WEEK_COLUMNS, unique=False)
        batch_op.drop_constraint('fk_slot_late_request_id_late_request', type_='foreignkey')
        batch_op.drop_column('late_request_id')
    with op.batch_alter_table('late_request', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_late_request_billed_week_start'))
        batch_op.drop_index(batch_op.f('ix_late_request_contract_id'))
    op.drop_table('late_request')
