"""Property: whatever happens after a week closed — any term changed, paused and resumed, deletions
tried after the deadline, retention runs, disputes opened and settled, approvals — its stored
statement changes only through its own disputes, and /timesheet, `tally export` and the diary page
always show exactly the stored statement; its earnings (pending, available and paid, as the export
shows them) always add up to the stored total, and a paid amount never moves. Run on SQLite and
PostgreSQL."""

import csv
import io
from datetime import date, time, timedelta
from decimal import Decimal

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlmodel import select

from bot import jobs
from bot.export import export_week
from bot.services import contracts, diary_pages, earnings, edits, retention, review, views
from bot.services.context import Context
from diary.closed_week import statement_of
from diary.terms import Billing, ContractStatus, Role, Screenshots
from storage import repo
from storage.blobs import FolderBlobs
from storage.tables import Dispute, Member, Slot
from tests.conftest import _empty, utc
from tests.services.helpers import ALICE, BOB, hire, pair_device, ref, work

MON = utc(2026, 11, 16, 9)
EDIT_DEADLINE = utc(2026, 11, 23, 12)
DUE = utc(2026, 12, 2)  # the week's amount becomes available
MONDAY = date(2026, 11, 16)

TERMS = st.one_of(
    st.builds(lambda v: {"rate": Decimal(v)}, st.integers(1, 200)),
    st.builds(lambda v: {"limit": v}, st.one_of(st.none(), st.integers(1, 60).map(Decimal))),
    st.builds(lambda v: {"weekly": Decimal(v)}, st.integers(0, 900)),
    st.builds(lambda v: {"min": Decimal(v)}, st.integers(0, 40)),
    st.builds(lambda v: {"screenshots": v}, st.sampled_from(list(Screenshots))),
    st.builds(lambda v: {"billing": v}, st.sampled_from(list(Billing))),
    st.builds(lambda v: {"manual": v}, st.booleans()),
    st.builds(lambda v: {"idle": v}, st.integers(1, 60)),
    st.builds(lambda v: {"window": v}, st.booleans()),
    st.just({"currency": "EUR"}),  # refused once time is recorded
)
STEPS = st.lists(st.one_of(
    st.tuples(st.just("terms"), TERMS),
    st.tuples(st.just("status"), st.sampled_from([ContractStatus.PAUSED, ContractStatus.ACTIVE])),
    st.tuples(st.just("delete"), st.integers(0, 11)),
    st.tuples(st.just("retention"), st.integers(0, 30)),
    st.tuples(st.just("dispute"), st.integers(9, 10)),
    st.tuples(st.just("settle"), st.sampled_from(["accept", "answer", "withdraw", "confirm"])),
    st.tuples(st.just("approve"), st.none()),
    st.tuples(st.just("pay"), st.none()),
), max_size=8)


def shown(ctx: Context, now) -> tuple:
    """The stored statement and what /timesheet, `tally export` and the diary page show of the week."""
    sheet = views.timesheet(ctx, ALICE, now=now, week="2026-W47", other=ref(BOB))
    [*_, total] = list(csv.DictReader(io.StringIO(export_week(ctx, "2026-W47", now=now))))
    with ctx.unit() as s:
        alice = s.exec(select(Member).where(Member.external_id == "U-alice")).one().id
        stored = statement_of(repo.week_review(s, contract_id=sheet.contract_id, week_start=MONDAY).statement)
    page = diary_pages.day_page(ctx, diary_pages.Viewer(alice, sheet.contract_id, Role.CLIENT, MONDAY, "UTC"), MONDAY, now=now)
    return stored, sheet, total, page


def assert_agree(stored, sheet, total, page) -> None:
    assert sheet.statement == stored == page.week.statement
    assert (total["total"], total["rate"], total["currency"]) == (str(stored.total), str(stored.rate), stored.currency)
    assert sum(d.counted for d in sheet.days) == stored.counted_minutes == sum(d.counted for d in page.week.days)
    assert page.diary.counted_minutes == sheet.days[0].counted
    parts = (Decimal(total["pending"]), Decimal(total["available"]), Decimal(total["paid"]))
    assert sum(parts) == stored.total and min(parts) >= 0


def step(ctx: Context, kind: str, arg, now) -> None:
    if kind == "terms":
        contracts.change_terms(ctx, ALICE, arg, now=now)
    elif kind == "status":
        contracts.set_status(ctx, ALICE, arg, now=now)
    elif kind == "delete":
        with ctx.unit() as s:
            slot_id = s.exec(select(Slot.id).order_by(Slot.start)).all()[arg]
        edits.delete_slot(ctx, BOB, slot_id, now=now)
    elif kind == "retention":
        retention.delete_old_screenshots(ctx, now=now, days=arg)
    elif kind == "dispute":
        review.dispute(ctx, ALICE, start=time(arg), end=time(arg, 30), day="2026-11-16", reason="idle", now=now)
    elif kind == "settle":
        with ctx.unit() as s:
            last = s.exec(select(Dispute.id).order_by(Dispute.id.desc())).first()
        if last is not None:
            who = BOB if arg in ("accept", "answer") else ALICE
            review.dispute_action(ctx, who, last, arg, now=now, text="the screenshots show the work")
    elif kind == "pay":
        earnings.mark_paid(ctx, ALICE, "2026-W47", now=now)
    else:
        review.approve_week(ctx, ALICE, now=now, other=ref(BOB), week="2026-W47")


@settings(max_examples=12, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(steps=STEPS, limit=st.one_of(st.none(), st.integers(1, 3).map(Decimal)))
def test_a_closed_week_changes_only_by_its_disputes_and_every_view_shows_its_stored_statement(engine, tmp_path, steps, limit):
    _empty(engine)
    ctx = Context(engine=engine, blobs=FolderBlobs(tmp_path / "blobs"), slot_seconds=600)
    hire(ctx, MON, limit_hours=limit)
    work(ctx, pair_device(ctx, BOB, MON), BOB, MON, 12)
    jobs.week_close(ctx, now=EDIT_DEADLINE)
    now = EDIT_DEADLINE + timedelta(hours=1)
    before = shown(ctx, now)
    assert_agree(*before)
    for kind, arg in steps:
        now = max(now + timedelta(hours=3), DUE if kind == "pay" else now)  # paying waits for the due day
        step(ctx, kind, arg, now)
        after = shown(ctx, now)
        assert_agree(*after)
        if kind not in ("dispute", "settle"):
            assert after[0] == before[0], (kind, arg)
        assert Decimal(after[2]["paid"]) >= Decimal(before[2]["paid"]), (kind, arg)  # a paid amount stays paid
        before = after
