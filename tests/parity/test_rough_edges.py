"""The rough edges a new user hit, told on the shell, Slack and Discord alike: a question back
suggests a command that works when pasted (and keeps what was typed), /contract show says since
when a contract is paused, /delete names a slot as /diary shows it, and every time a person reads
is on the contract's clock and says which."""

import pytest
from sqlmodel import select

from bot import jobs
from storage.tables import Contract, Slot
from tests.conftest import utc
from tests.parity.drivers import DRIVERS, REFUSED, REPLY, UPDATED
from tests.parity.test_parity import Clock

NY = "(America/New_York)"
THURSDAY, REVIEW_OPEN = utc(2026, 11, 19, 15), utc(2026, 11, 23, 18)  # 10:00 and Monday 13:00 in New York
PASTE, AT, POSTED = "paste", "at", "posted"

# who, what they type or click (or: paste the suggestion for contract N; move the clock; read the
# channel), the typed options Discord gets, what they see, and a sentence in it.
STORY = [
    ("alice", "/contract new @bob rate=40 title=Docs tz=America/New_York",
     {"freelancer": "bob", "rate": 40, "title": "Docs", "tz": "America/New_York"}, REPLY, "Contract created: #1 Docs"),
    ("alice", "/contract new @bob rate=30 title=Site", {"freelancer": "bob", "rate": 30, "title": "Site"}, REPLY, "#2 Site"),
    ("alice", "/contract rate 50", {"rate": "50"}, REPLY, "Which contract?"),
    ("alice", PASTE, 1, REPLY, "Hourly rate changed from this week on"),
    ("", AT, THURSDAY, "", ""),
    ("alice", "/contract pause contract=1", {"contract": 1}, REPLY, "Contract paused"),
    ("alice", "/contract show contract=1", {"contract": 1}, REPLY, "paused since 2026-11-19"),
    ("alice", "/contract resume", {}, REPLY, "Which contract?"),
    ("alice", PASTE, 1, REPLY, "Contract resumed"),
    ("bob", "/clockin contract=1", {"contract": 1}, REPLY, "Clocked in on Docs"),
    ("bob", "/memo code review", {"text": "code review"}, REPLY, f"Memo set: code review (from 10:00 {NY} on)."),
    ("bob", "/manual 08:00-09:00 contract=1 fixing the login page",
     {"range": "08:00-09:00", "memo": "fixing the login page", "contract": 1},
     REPLY, f"Asked the client to approve Thu 2026-11-19 08:00–09:00 {NY} of manual time"),
    ("alice", "click Approve", {}, UPDATED, f"Manual time Thu 2026-11-19 08:00–09:00 {NY} approved by alice."),
    ("bob", "/diary contract=1", {"contract": 1}, REPLY, "/delete 08:00 2026-11-19"),
    ("bob", "/delete 08:10", {"slot": "08:10"}, REPLY, "Which contract?"),
    ("bob", PASTE, 1, REPLY, f"Deleted the slot at Thursday 2026-11-19 08:10 {NY}"),
    ("bob", "/delete 08:10 contract=1", {"slot": "08:10", "contract": 1}, REFUSED, "There is no such slot in your diary"),
    ("bob", "/delete 25:00 contract=1", {"slot": "25:00", "contract": 1}, REFUSED, '"25:00" is not a time of day'),
    ("alice", "/delete 08:20 contract=1", {"slot": "08:20", "contract": 1}, REFUSED, "Only the freelancer"),
    ("carol", "/delete 08:20 contract=1", {"slot": "08:20", "contract": 1}, REFUSED, "There is no contract #1 of yours"),
    ("bob", "/clockout", {}, REPLY, "Clocked out of Docs"),
    ("", AT, REVIEW_OPEN, "", ""),
    ("alice", "click Dispute", {"range": "08:20-08:40", "day": "2026-11-19", "reason": "no screenshots"}, UPDATED,
     "Dispute #1 opened by alice"),
    ("", POSTED, None, "", f"alice disputes Thu 2026-11-19 08:20–08:40 {NY} of week 2026-W47: no screenshots"),
]


def state(ctx) -> dict:
    with ctx.unit() as s:
        contracts = s.exec(select(Contract).order_by(Contract.id)).all()
        slots = s.exec(select(Slot).where(Slot.contract_id == 1).order_by(Slot.start)).all()
        return {"rates": [f"{c.rate:.2f}" for c in contracts], "status": [c.status for c in contracts],
                "deleted": [f"{slot.start:%H:%M}" for slot in slots if slot.deleted_at is not None]}


@pytest.mark.parametrize("platform", sorted(DRIVERS))
async def test_the_rough_edges_are_smooth_on_every_platform(ctx, platform):
    clock, seen = Clock(), ""
    clock.now = utc(2026, 11, 18, 15)
    async with DRIVERS[platform](ctx, clock) as driver:
        for step, (who, what, typed, kind, says) in enumerate(STORY):
            if what == AT:
                clock.now = typed
                jobs.week_close(ctx, now=clock.now)
            elif what == POSTED:
                seen = driver.posted()
            elif what == PASTE:
                seen = await driver.paste(who, seen, typed, kind)
            elif what.startswith("click "):
                seen = await driver.click(who, what.removeprefix("click "), typed, kind)
            else:
                seen = await driver.command(who, what, typed, kind)
            assert says in seen, (step, who, what, seen)
            await driver.deliver()
    # 08:10 in New York is 13:10 UTC
    assert state(ctx) == {"rates": ["50.00", "30.00"], "status": ["active", "active"], "deleted": ["13:10"]}
