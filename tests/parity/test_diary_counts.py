"""The diary's counts told on the shell, Slack and Discord: a slot that was recorded but counted
for nothing is marked in /diary the same way on every platform."""

import re
from datetime import timedelta

import pytest
from sqlmodel import select

from bot import jobs
from bot.services import devices, ingest
from diary.protocol import MinuteCounts, PairRequest, SlotReport
from storage.tables import Outbox, WorkSession
from tests.conftest import utc
from tests.parity.drivers import DRIVERS, REPLY

WEDNESDAY = utc(2026, 11, 18, 15)


class Clock:
    def __init__(self) -> None:
        self.now = WEDNESDAY

    def __call__(self):
        return self.now


def paired_device(ctx, said: str, now):
    """The agent paired with the code /connect gave."""
    code = re.search(r"tally-agent pair (\S+)", said)[1]
    token = devices.pair(ctx, PairRequest(code=code, device_name="laptop", os="linux", agent_version="1"), now=now).token
    return devices.authenticate(ctx, token, now=now)


def report(ctx, device, start, *, shot_after: timedelta, active: int) -> None:
    with ctx.unit() as s:
        session_id = s.exec(select(WorkSession).order_by(WorkSession.id.desc())).first().id
    minutes = [MinuteCounts(keys=2, mouse=1) if m < active else MinuteCounts() for m in range(10)]
    ingest.record_slot(ctx, device, SlotReport(session_id=session_id, slot_start=start, minutes=minutes,
                                               screenshot_at=start + shot_after), None, now=start + timedelta(minutes=10))


@pytest.mark.parametrize("platform", sorted(DRIVERS))
async def test_diary_marks_a_slot_that_did_not_count(ctx, platform):
    """Rule: docs/rules.md#segment-billing"""
    clock = Clock()
    async with DRIVERS[platform](ctx, clock) as driver:
        await driver.command("alice", "/contract new @bob rate=40 title=Docs", {"freelancer": "bob", "rate": 40, "title": "Docs"}, REPLY)
        device = paired_device(ctx, await driver.command("bob", "/connect", {}, REPLY), clock.now)
        await driver.command("bob", "/clockin", {}, REPLY)
        report(ctx, device, WEDNESDAY, shot_after=timedelta(minutes=5), active=4)
        clock.now = WEDNESDAY + timedelta(minutes=13)  # before the 15:10 slot's screenshot at 15:16
        await driver.command("bob", "/clockout", {}, REPLY)
        report(ctx, device, WEDNESDAY + timedelta(minutes=10), shot_after=timedelta(minutes=6), active=3)
        seen = await driver.command("bob", "/diary", {}, REPLY)
    assert re.search(r"15:00 +4  3x  \.", seen), seen  # 4 active minutes counted; 3 active minutes worth 0
    assert "x did not count (0 min)" in seen and "0:10" in seen


@pytest.mark.parametrize("platform", sorted(DRIVERS))
async def test_the_weekly_minimum_on_the_timesheet_the_reminder_and_the_review(ctx, platform):
    """Rule: docs/rules.md#weekly-minimum"""
    clock = Clock()
    async with DRIVERS[platform](ctx, clock) as driver:
        await driver.command("alice", "/contract new @bob rate=40 min=10", {"freelancer": "bob", "rate": 40, "min": "10"}, REPLY)
        device = paired_device(ctx, await driver.command("bob", "/connect", {}, REPLY), clock.now)
        await driver.command("bob", "/clockin", {}, REPLY)
        report(ctx, device, WEDNESDAY, shot_after=timedelta(minutes=5), active=4)
        clock.now = WEDNESDAY + timedelta(minutes=10)
        await driver.command("bob", "/clockout", {}, REPLY)
        sheet = await driver.command("bob", "/timesheet", {}, REPLY)
        assert "Weekly minimum" in sheet and "0.1 h of a 10 h minimum" in sheet, sheet
        clock.now = utc(2026, 11, 19, 9)  # Thursday 09:00
        assert jobs.minimum_reminder(ctx, now=clock.now).startswith("minimum-reminder: 1")
        await driver.deliver()
        clock.now = utc(2026, 11, 23, 13)
        jobs.week_close(ctx, now=clock.now)
        await driver.deliver()
        posted = driver.out.getvalue() if platform == "shell" else driver.posted()  # the shell prints posts after their first line
        assert "Weekly minimum: 0.1 h of a 10 h minimum (a goal, not enforced)" in posted, posted
    with ctx.unit() as s:
        reminder = s.exec(select(Outbox).where(Outbox.kind == "minimum")).one()
    assert reminder.sent_at is not None and reminder.channel.startswith("@")
    assert "0.1 h of a 10 h minimum" in reminder.payload["text"]
