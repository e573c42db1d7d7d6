"""One table of what people type and click, told on the shell, Slack and Discord: every platform
answers each step the same way, and the story ends in the same state."""

import logging
from dataclasses import fields, replace

import pytest
from sqlmodel import select

from bot import commands
from bot import requests as rq
from bot.services.actors import UserRef
from bot.shell import mention
from diary.refusal import Refusal

from bot import jobs
from storage.tables import Bonus, Contract, Dispute, ManualEntry, WeekReview
from tests.conftest import utc
from tests.parity.drivers import DRIVERS, REFUSED, REPLY, UPDATED

WEDNESDAY, REVIEW_OPEN = utc(2026, 11, 18, 15), utc(2026, 11, 23, 13)
WEEK_CLOSES = "the week closes"
MANUAL = "Wed 2026-11-18 09:00–10:00 (UTC)"

# who, what they type (the text form; Discord gets the typed options beside it) or which button
# they click (with the form it opens filled in), what they then see, and a sentence in it.
STORY = [
    ("alice", "/contract new @bob rate=40 title=Docs", {"freelancer": "bob", "rate": 40, "title": "Docs"}, REPLY, "Contract created: #1 Docs"),
    ("bob", "/contract pause", {}, REFUSED, "Only the client of this contract can change its settings, rate or limit."),
    ("carol", "/clockin", {}, REFUSED, "You have no contract here yet."),
    ("bob", "/clockin writing docs", {"memo": "writing docs"}, REPLY, "Clocked in on Docs — writing docs."),
    ("bob", "/memo code review", {"text": "code review"}, REPLY, "Memo set: code review"),
    ("bob", "/private on", {"switch": "on"}, REPLY, "Private mode on: your tracker records nothing"),
    ("bob", "/private maybe", {"switch": "maybe"}, REFUSED, "Say on or off, e.g. /private on"),
    ("alice", "/private on", {"switch": "on"}, REFUSED, "Private mode is for freelancers"),
    ("bob", "/private off", {"switch": "off"}, REPLY, "Private mode off: tracking goes on as before."),
    ("bob", "/clockout", {}, REPLY, "Clocked out of Docs: 0:00 counted, no activity recorded."),
    ("bob", "/manual 09:00-10:00 fixing the login page", {"range": "09:00-10:00", "memo": "fixing the login page"},
     REPLY, f"Asked the client to approve {MANUAL} of manual time: fixing the login page."),
    ("bob", "/manual 25:00-26:00 x", {"range": "25:00-26:00", "memo": "x"}, REFUSED, "has a time that is not on the clock"),
    ("bob", "click Approve", {}, REFUSED, "Only the client of this contract can approve or decline manual time on it."),
    ("alice", "click Approve", {}, UPDATED, f"Manual time {MANUAL} approved by alice."),
    ("alice", "/bonus @bob 50 thanks", {"user": "bob", "amount": "50", "note": "thanks"}, REPLY, "Bonus of 50.00 USD recorded on week 2026-W47."),
    ("bob", "/bonus @alice 50", {"user": "alice", "amount": "50"}, REFUSED, "Only the client of this contract can pay a bonus on it."),
    ("alice", "/timesheet", {}, REPLY, "Timesheet 2026-W47 of bob — Docs (UTC)"),
    ("bob", "/diary", {}, REPLY, "Diary of bob — Docs — Wed 2026-11-18 (UTC)"),
    ("carol", "/diary", {}, REFUSED, "You have no contract here yet."),
    ("bob", "/connect", {}, REPLY, "tally-agent pair"),
    ("alice", "/contract rate 45", {"rate": "45"}, REPLY, "Hourly rate changed from this week on"),
    ("alice", "/contract limit 30", {"limit": "30"}, REPLY, "Weekly limit changed from next week on"),
    ("alice", "/contract set screenshots=blur min=10", {"screenshots": "blur", "min": "10"}, REPLY,
     "Weekly minimum: 10 h/week from next week on (Monday 2026-11-23 00:00 (UTC))."),
    ("alice", "/contract set min=lots", {"min": "lots"}, REFUSED, '"lots" is not a number of hours; e.g. min=10 or min=none.'),
    ("bob", "/apps", {}, REFUSED,
     "window tracking is off on this contract; the client can turn it on with `/contract set window=on`."),
    ("alice", "/contract set window=on", {"window": True}, REPLY, "Window titles: on from the next slot on"),
    ("bob", "/apps last", {"week": "last"}, REPLY, "Apps 2026-W46 of bob — Docs (UTC)"),
    ("alice", "/apps 2026-W99", {"week": "2026-W99"}, REFUSED, '"2026-W99" is not a week'),
    ("carol", "/apps", {}, REFUSED, "You have no contract here yet."),
    ("carol", "/tally help", {}, REPLY, "Tally keeps the work diary of hourly contracts."),
    ("alice", "/tally summary-channel", {}, REPLY, "Weekly summaries of every contract will be posted in"),
    ("", WEEK_CLOSES, {}, "", ""),
    ("bob", "click Approve", {}, REFUSED, "Only the client of this contract can approve its hours."),
    ("alice", "click Dispute", {"range": "09:00-09:30", "day": "2026-11-18", "reason": "no screenshots"}, UPDATED,
     "Dispute #1 opened by alice; the freelancer can accept it or answer."),
    ("bob", "click Answer", {"answer": "staging server"}, UPDATED, "Dispute #1 answered by bob."),
    ("bob", "click Confirm", {}, REFUSED, "Only the client of this contract can dispute its hours."),
    ("alice", "click Confirm", {}, UPDATED, "Dispute #1 confirmed by alice."),
]

# Where the story leaves the contract, whichever platform told it.
END = {"rate": "45.00", "limit": "30", "manual": ["approved"], "bonuses": ["50.00"], "disputes": ["confirmed"], "week": ["approved"]}


def state(ctx) -> dict:
    with ctx.unit() as s:
        contract = s.exec(select(Contract)).one()
        return {
            "rate": f"{contract.rate:.2f}", "limit": f"{contract.weekly_limit_hours:.0f}",
            "manual": [m.status for m in s.exec(select(ManualEntry))], "bonuses": [f"{b.amount:.2f}" for b in s.exec(select(Bonus))],
            "disputes": [d.status for d in s.exec(select(Dispute))], "week": [r.status for r in s.exec(select(WeekReview))],
        }


class Clock:
    def __init__(self) -> None:
        self.now = WEDNESDAY

    def __call__(self):
        return self.now


BUTTONS_TYPED = (rq.ApproveWeek, rq.DecideManual, rq.DisputeHours, rq.DisputeStep)  # the shell's buttons


def typed_requests(records) -> list:
    """The requests the dispatcher ran for typed commands, people named by name (each platform has
    its own ids)."""
    ran = [record.args[1] for record in records if record.name == "tally.requests"]
    return [_by_name(request) for request in ran if not isinstance(request, BUTTONS_TYPED)]


def _by_name(request):
    people = {f.name: getattr(request, f.name).name for f in fields(request) if isinstance(getattr(request, f.name), UserRef)}
    return replace(request, **{k: UserRef(v, v) for k, v in people.items()})


def text_requests() -> list:
    """What the story's typed lines parse into: every platform must run exactly these."""
    lines = [what for _, what, _, _, _ in STORY if what.startswith("/")]
    parsed = [commands.parse(line[1:].partition(" ")[0], line[1:].partition(" ")[2], mention) for line in lines]
    return [_by_name(request) for request in parsed if not isinstance(request, Refusal)]


@pytest.mark.parametrize("platform", sorted(DRIVERS))
async def test_every_platform_tells_the_story_the_same_way(ctx, platform, caplog):
    caplog.set_level(logging.DEBUG, logger="tally.requests")
    clock = Clock()
    async with DRIVERS[platform](ctx, clock) as driver:
        for step, (who, what, typed, kind, says) in enumerate(STORY):
            if what == WEEK_CLOSES:
                clock.now = REVIEW_OPEN
                jobs.week_close(ctx, now=clock.now)
            elif what.startswith("click "):
                seen = await driver.click(who, what.removeprefix("click "), typed, kind)
                assert says in seen, (step, who, what, seen)
            else:
                seen = await driver.command(who, what, typed, kind)
                assert says in seen, (step, who, what, seen)
            await driver.deliver()
    assert state(ctx) == END
    assert typed_requests(caplog.records) == text_requests()  # Discord's options fill the very same requests
