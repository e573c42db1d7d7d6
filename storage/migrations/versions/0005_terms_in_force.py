"""terms in force: every term's history with the instant each value takes effect; weekly minimum

contract_change gains `effective_at`, the instant a value takes effect (`at` stays the instant it
was decided), and every term that bears on counting or money keeps its history under its chat
name (rate, limit, weekly, min, screenshots, billing, manual, idle, window); contract gains
`weekly_min_hours`.

Backfill, so that an existing database upgrades in place and every week bills as it did:
- rate and limit rows get the instant the rule gave them when it was applied on reading: a raise
  the start of the week it was made in, a cut the start of the next week; status rows their own;
- every other term was applied to every week, so its history starts with today's column at the
  contract's creation; the changes logged before stay, not read, under `old:<column>`.
The rules are written out here rather than imported, so this revision keeps meaning what it meant.

Revision ID: 0005
Revises: 0004
Create Date: 2026-12-04 17:10:00.000000
"""

from datetime import UTC, datetime, time, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

from alembic import op
import sqlalchemy as sa
import storage.types


revision = '0005'
down_revision = '0004'
branch_labels = None
depends_on = None

SWITCHES = ('manual', 'window')
BY_WEEK = ('rate', 'limit')  # a raise now, a cut from next week; none is no limit, the highest
READ_BEFORE = (*BY_WEEK, 'status')  # the only histories read before this revision
COLUMNS = {'rate': 'rate', 'limit': 'weekly_limit_hours', 'weekly': 'weekly_payment', 'min': 'weekly_min_hours',
           'manual': 'manual_allowed', 'screenshots': 'screenshots', 'billing': 'billing', 'idle': 'idle_minutes',
           'window': 'window'}
TYPES = {'rate': sa.Numeric(14, 2), 'weekly_limit_hours': sa.Numeric(6, 2), 'weekly_payment': sa.Numeric(14, 2),
         'weekly_min_hours': sa.Numeric(6, 2), 'manual_allowed': sa.Boolean, 'window': sa.Boolean, 'idle_minutes': sa.Integer}

change = sa.table(
    'contract_change', sa.column('id', sa.Integer), sa.column('contract_id', sa.Integer),
    sa.column('at', storage.types.UTCDateTime), sa.column('effective_at', storage.types.UTCDateTime),
    sa.column('field', sa.String), sa.column('value', sa.String), sa.column('by_member_id', sa.Integer),
)
contract = sa.table(
    'contract', sa.column('id', sa.Integer), sa.column('tz', sa.String), sa.column('created_at', storage.types.UTCDateTime),
    *(sa.column(name, TYPES.get(name, sa.String)) for name in COLUMNS.values()),
)


def upgrade() -> None:
    with op.batch_alter_table('contract', schema=None) as batch_op:
        batch_op.add_column(sa.Column('weekly_min_hours', sa.Numeric(precision=6, scale=2), nullable=True))
    with op.batch_alter_table('contract_change', schema=None) as batch_op:
        batch_op.add_column(sa.Column('effective_at', storage.types.UTCDateTime(timezone=True), nullable=True))
    bind = op.get_bind()
    bind.execute(change.update().where(change.c.field.notin_(READ_BEFORE)).values(field='old:' + change.c.field))
    bind.execute(change.update().where(change.c.field.notin_(BY_WEEK)).values(effective_at=change.c.at))
    for row in bind.execute(sa.select(contract)).mappings().all():
        _backfill(bind, row)
    with op.batch_alter_table('contract_change', schema=None) as batch_op:
        batch_op.alter_column('effective_at', existing_type=storage.types.UTCDateTime(timezone=True), nullable=False)


def _backfill(bind, row) -> None:
    rows = bind.execute(sa.select(change).where(change.c.contract_id == row['id']).order_by(change.c.id)).mappings().all()
    for field in BY_WEEK:
        _week_rule(bind, [r for r in rows if r['field'] == field], row['tz'])
    kept = {r['field'] for r in rows}
    for field, column in COLUMNS.items():
        if field not in kept:
            bind.execute(change.insert().values(contract_id=row['id'], at=row['created_at'], effective_at=row['created_at'],
                                                field=field, value=_text(field, row[column])))


def _week_rule(bind, rows, tz: str) -> None:
    """Each row's instant under "a raise now, a cut from next week", the first one being the initial value."""
    done: list[tuple[datetime, Decimal | None]] = []
    for r in rows:
        new = None if r['value'] is None else Decimal(r['value'])
        monday = _week_start(r['at'], tz)
        if done:
            old = _value_at(done, monday)
            effective = monday if _is_raise(old, new) else _week_start(monday + timedelta(days=8), tz)
        else:
            effective = r['at']
        done.append((effective, new))
        bind.execute(change.update().where(change.c.id == r['id']).values(effective_at=effective))


def _value_at(done, instant):
    value = done[0][1]
    for at, v in done:
        if at <= instant:
            value = v
    return value


def _is_raise(old, new) -> bool:
    return new is None or (old is not None and new >= old)


def _week_start(instant: datetime, tz: str) -> datetime:
    local = instant.astimezone(ZoneInfo(tz))
    monday = local.date() - timedelta(days=local.weekday())
    return datetime.combine(monday, time(0), tzinfo=ZoneInfo(tz)).astimezone(UTC)


def _text(field: str, value) -> str | None:
    if value is None:
        return None
    if field in SWITCHES:
        return 'on' if value else 'off'
    return str(value)


def downgrade() -> None:
    bind = op.get_bind()
    bind.execute(change.delete().where(change.c.field.notin_(READ_BEFORE), change.c.field.notlike('old:%')))
    for row in bind.execute(sa.select(change.c.id, change.c.field).where(change.c.field.like('old:%'))).all():
        bind.execute(change.update().where(change.c.id == row.id).values(field=row.field.removeprefix('old:')))
    with op.batch_alter_table('contract_change', schema=None) as batch_op:
        batch_op.drop_column('effective_at')
    # Not in a batch: on SQLite that copies the table, which the tables referring to it forbid.
    op.drop_column('contract', 'weekly_min_hours')
