"""webcam: the contract term, the freelancer's consent per device, and a camera frame per slot

`contract.webcam` is the client's term (off for every contract there is), with its history under
`webcam` from the contract's creation like every other term. `webcam_consent` keeps each consent
given or withdrawn on a device; `webcam_frame` the camera frame of a slot, beside its screenshot.
Existing rows need nothing more: no contract asked for the webcam, nobody consented, no frame exists.

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-04 20:40:00.000000
"""

from alembic import op
import sqlalchemy as sa
import sqlmodel
import storage.types


revision = '0011'
down_revision = '0010'
branch_labels = None
depends_on = None

change = sa.table(
    'contract_change', sa.column('contract_id', sa.Integer), sa.column('at', storage.types.UTCDateTime),
    sa.column('effective_at', storage.types.UTCDateTime), sa.column('field', sa.String), sa.column('value', sa.String),
)
contract = sa.table('contract', sa.column('id', sa.Integer), sa.column('created_at', storage.types.UTCDateTime))


def upgrade() -> None:
    op.add_column('contract', sa.Column('webcam', sa.Boolean(), nullable=False, server_default=sa.false()))
    bind = op.get_bind()
    rows = bind.execute(sa.select(contract.c.id, contract.c.created_at)).all()
    if rows:
        bind.execute(change.insert(), [{'contract_id': cid, 'at': at, 'effective_at': at, 'field': 'webcam', 'value': 'off'}
                                       for cid, at in rows])
    op.create_table(
        'webcam_frame',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('slot_id', sa.Integer(), nullable=False),
        sa.Column('blob_key', sqlmodel.sql.sqltypes.AutoString(length=300), nullable=False),
        sa.Column('sha256', sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
        sa.Column('content_type', sqlmodel.sql.sqltypes.AutoString(length=32), nullable=False),
        sa.Column('width', sa.Integer(), nullable=False),
        sa.Column('height', sa.Integer(), nullable=False),
        sa.Column('size', sa.Integer(), nullable=False),
        sa.Column('blurred', sa.Boolean(), nullable=False),
        sa.Column('created_at', storage.types.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(['slot_id'], ['slot.id'], ),
        sa.PrimaryKeyConstraint('id'),
        sa.UniqueConstraint('slot_id'),
    )
    with op.batch_alter_table('webcam_frame', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_webcam_frame_created_at'), ['created_at'], unique=False)
    op.create_table(
        'webcam_consent',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('device_id', sa.Integer(), nullable=False),
        sa.Column('given', sa.Boolean(), nullable=False),
        sa.Column('at', storage.types.UTCDateTime(timezone=True), nullable=False),
        sa.Column('reported_at', storage.types.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(['device_id'], ['device.id'], ),
        sa.PrimaryKeyConstraint('id'),
    )
    with op.batch_alter_table('webcam_consent', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_webcam_consent_device_id'), ['device_id'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('webcam_consent', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_webcam_consent_device_id'))
    op.drop_table('webcam_consent')
    with op.batch_alter_table('webcam_frame', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_webcam_frame_created_at'))
    op.drop_table('webcam_frame')
    op.get_bind().execute(change.delete().where(change.c.field == 'webcam'))
    # Not in a batch: on SQLite that copies the table, which the tables referring to it forbid.
    op.drop_column('contract', 'webcam')
