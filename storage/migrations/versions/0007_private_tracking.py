"""private tracking: periods switched to private, slots taken with a private app, what devices can track

`private_period` keeps when a freelancer switched the tracker to private (nothing was recorded
then; their own diary shows it as private). `slot.private_app` marks a slot whose screenshot was
blurred on the device because a private app had focus. `device_capability` is what an agent said
it can do where it runs (a Wayland session: no screenshots, no input), with the reason. Existing rows need nothing:
no period was private, no slot was taken with a private app, every device was thought able.

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-04 17:10:00.000000
"""

from alembic import op
import sqlalchemy as sa
import sqlmodel
import storage.types


revision = '0007'
down_revision = '0006'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        'private_period',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('member_id', sa.Integer(), nullable=False),
        sa.Column('started_at', storage.types.UTCDateTime(timezone=True), nullable=False),
        sa.Column('ended_at', storage.types.UTCDateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(['member_id'], ['member.id'], ),
        sa.PrimaryKeyConstraint('id'),
    )
    with op.batch_alter_table('private_period', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_private_period_member_id'), ['member_id'], unique=False)
    with op.batch_alter_table('slot', schema=None) as batch_op:
        batch_op.add_column(sa.Column('private_app', sa.Boolean(), nullable=False, server_default=sa.false()))
    op.create_table(
        'device_capability',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('device_id', sa.Integer(), nullable=False),
        sa.Column('screenshots', sa.Boolean(), nullable=False),
        sa.Column('input', sa.Boolean(), nullable=False),
        sa.Column('reason', sqlmodel.sql.sqltypes.AutoString(length=200), nullable=False),
        sa.Column('reported_at', storage.types.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(['device_id'], ['device.id'], ),
        sa.PrimaryKeyConstraint('id'),
        sa.UniqueConstraint('device_id'),
    )


def downgrade() -> None:
    op.drop_table('device_capability')
    with op.batch_alter_table('slot', schema=None) as batch_op:
        batch_op.drop_column('private_app')
    with op.batch_alter_table('private_period', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_private_period_member_id'))
    op.drop_table('private_period')
