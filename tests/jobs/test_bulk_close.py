"""The Monday week close reads contracts in chunks, with a helper process, and reads slots a faster
way than one contract at a time: every week it closes must come out exactly as closing that
contract's week alone does (the path a button click takes)."""

from datetime import time, timedelta
from decimal import Decimal

from sqlmodel import select

from bot.services import closing, contracts, edits, ingest, ledger, manual, sessions, views, weekly
from bot.services.results import Done
from diary.weeks import week_of
from storage.tables import Contract, Member, Outbox, WeekReview, Workspace
from tests.conftest import utc
from tests.services.helpers import (
    hire,
    outbox,
    pair_device,
    person,
    report,
    running_session_id,
    slots,
)

MON = utc(2026, 11, 16, 9)
AFTER_EVERY_DEADLINE = utc(2026, 11, 24, 12)  # Monday noon has passed in every zone used here


def team(ctx) -> None:
    """Contracts with every kind of term and of day, one channel each."""
    terms = [
        {"limit_hours": Decimal(1)},  # 3:30 worked, 2:30 of it over the limit
        {"billing": "minutes"},
        {"screenshots": "off"},
        {"tz": "Asia/Kolkata"},  # its Monday starts at 18:30 UTC on Sunday
        {"tz": "America/New_York", "weekly_payment": Decimal(500)},
        {},  # manual time, and a slot deleted
        {},  # clocked out before the last slot's screenshot
        {},  # no work at all: a statement, but no message
        {"screenshots": "off"},  # "on" from the middle of a session on Wednesday, and a raise of the rate
    ]
    for n, extra in enumerate(terms):
        client, freelancer = person("alice", f"C{n}"), person(f"f{n}", f"C{n}")
        contract_id = hire(ctx, MON, client=client, freelancer=freelancer, **extra)
        if n == 7:
            continue
        device = pair_device(ctx, freelancer, MON)
        if n == 8:
            _terms_change_mid_session(ctx, device, client, freelancer)
        shot_after = None if extra.get("screenshots") == "off" else 300
        work(ctx, device, freelancer, MON + timedelta(hours=n), 12, shot_after=shot_after)
        work(ctx, device, freelancer, utc(2026, 11, 21, 23), 9, shot_after=shot_after)  # over midnight into Sunday
        if n == 5:
            _manual_and_deletion(ctx, contract_id, client, freelancer)
        if n == 6:
            _short_last_slot(ctx, device, freelancer)


def work(ctx, device, freelancer, start, count: int, *, shot_after: int | None) -> None:
    """Clock in at `start`, report `count` slots, clock out after the last."""
    sessions.clock_in(ctx, freelancer, memo="work", now=start)
    session_id = running_session_id(ctx)
    for i in range(count):
        t = start + timedelta(minutes=10 * i)
        ingest.record_slot(ctx, device, report(session_id, t, shot_after=shot_after), None, now=t + timedelta(minutes=10))
    sessions.clock_out(ctx, freelancer, now=start + timedelta(minutes=10 * count))


def _manual_and_deletion(ctx, contract_id, client, freelancer) -> None:
    asked = manual.request(ctx, freelancer, start=time(13), end=time(14), day="2026-11-18", memo="call", now=utc(2026, 11, 18, 15))
    assert isinstance(asked, Done)
    entry = outbox(ctx, "manual_request")[-1].payload["entry_id"]
    assert isinstance(manual.decide(ctx, client, entry, approve=True, now=utc(2026, 11, 18, 16)), Done)
    mine = [x for x in slots(ctx) if x.contract_id == contract_id and x.start == MON + timedelta(hours=5, minutes=20)]
    assert isinstance(edits.delete_slot(ctx, freelancer, mine[0].id, now=utc(2026, 11, 19)), Done)


def _terms_change_mid_session(ctx, device, client, freelancer) -> None:
    """Six slots without screenshots; screenshots switched on at 9:25, so from the 9:30 slot on."""
    start = utc(2026, 11, 18, 9)
    sessions.clock_in(ctx, freelancer, memo="work", now=start)
    session_id = running_session_id(ctx)
    for i in range(6):
        t = start + timedelta(minutes=10 * i)
        if i == 3:
            contracts.change_terms(ctx, client, {"screenshots": "on", "rate": Decimal(50)}, now=t - timedelta(minutes=5))
        ingest.record_slot(ctx, device, report(session_id, t, shot_after=None), None, now=t + timedelta(minutes=10))
    sessions.clock_out(ctx, freelancer, now=start + timedelta(minutes=60))


def _short_last_slot(ctx, device, freelancer) -> None:
    start = utc(2026, 11, 19, 9)
    sessions.clock_in(ctx, freelancer, memo="short", now=start)
    session_id = running_session_id(ctx)
    ingest.record_slot(ctx, device, report(session_id, start, shot_after=500), None, now=start + timedelta(minutes=8))
    sessions.clock_out(ctx, freelancer, now=start + timedelta(minutes=7))


def closed_alone(ctx) -> dict[int, weekly.Closing]:
    """What closing each contract's week alone writes (its records read one contract at a time, as
    a view reads them), its days summed slot by slot as the day diary shows them."""
    with ctx.unit() as s:
        expected = {}
        for contract in s.exec(select(Contract)):
            week = week_of(MON, contract.tz)
            rec = ledger.records(s, contract, week, ctx.slot_seconds)
            days, statement, books = ledger.closing_books(contract, week, rec, ctx.slot_seconds)
            assert days == ledger.day_totals(week, ledger.lines_of(contract, week, rec, ctx.slot_seconds))
            expected[contract.id] = weekly.closing_of(
                s.get(Workspace, contract.workspace_id), contract, week, days, statement, books, views.activity_of(rec.slots),
                s.get(Member, contract.freelancer_id).name, AFTER_EVERY_DEADLINE)
        return expected


def test_the_chunked_week_close_writes_what_closing_each_contract_alone_would(ctx):
    team(ctx)
    expected = closed_alone(ctx)
    assert closing.close_due(ctx, now=AFTER_EVERY_DEADLINE, chunk_size=2) == len(expected) == 9
    with ctx.unit() as s:
        reviews = {r.contract_id: r for r in s.exec(select(WeekReview))}
        messages = {m.dedupe_key: m for m in s.exec(select(Outbox).where(Outbox.kind == "review"))}
    for contract_id, closing_alone in expected.items():
        review = reviews[contract_id]
        assert (review.week_start, review.statement, review.books, review.closed_at) == (
            closing_alone.review["week_start"], closing_alone.review["statement"], closing_alone.review["books"], AFTER_EVERY_DEADLINE)
        if closing_alone.message is None:
            assert not any(key.startswith(f"review:{contract_id}:") for key in messages)
            continue
        message = messages[closing_alone.message["dedupe_key"]]
        assert (message.channel, message.payload) == (closing_alone.message["channel"], closing_alone.message["payload"])
    assert len(messages) == 8
    statements = [reviews[n].statement for n in sorted(reviews)]
    # The cases are really there: over the limit, the short slot left out, the manual hour.
    assert statements[0]["over_limit_minutes"] == 210 - 60
    assert statements[6]["counted_minutes"] == 210 and statements[5]["manual_minutes"] == 60
    # Monday's 2 h and Wednesday's first half hour without screenshots under "off", then none under "on", at the raised rate
    assert (statements[8]["counted_minutes"], statements[8]["rate"]) == (150, "50.00")


def test_a_rerun_finds_nothing_left_to_close(ctx):
    team(ctx)
    assert closing.close_due(ctx, now=AFTER_EVERY_DEADLINE, chunk_size=3) == 9
    assert closing.close_due(ctx, now=AFTER_EVERY_DEADLINE + timedelta(minutes=5), chunk_size=3) == 0
    assert len(outbox(ctx, "review")) == 8
