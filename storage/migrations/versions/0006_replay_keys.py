"""replay keys: chat requests already acted on

One row per Slack trigger or Discord interaction acted on, unique by key, kept for Slack's
five-minute window of valid signatures. Nothing to backfill: requests before this revision were
answered long ago.

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-04 17:50:00.000000
"""

from alembic import op
import sqlalchemy as sa
import sqlmodel
import storage.types


revision = '0006'
down_revision = '0005'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        'replay_key',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('key', sqlmodel.sql.sqltypes.AutoString(length=200), nullable=False),
        sa.Column('seen_at', storage.types.UTCDateTime(), nullable=False),
        sa.PrimaryKeyConstraint('id'),
        sa.UniqueConstraint('key'),
    )
    op.create_index(op.f('ix_replay_key_seen_at'), 'replay_key', ['seen_at'], unique=False)


def downgrade() -> None:
    op.drop_index(op.f('ix_replay_key_seen_at'), table_name='replay_key')
    op.drop_table('replay_key')
