"""Weekly-limit alerts, the silent agent, and screenshot retention."""

import io
from dataclasses import replace
from datetime import timedelta
from decimal import Decimal

import pytest
from PIL import Image
from sqlmodel import select

from bot import jobs
from bot.services import images, ingest, sessions, views
from storage.tables import Screenshot
from tests.conftest import utc
from tests.services.helpers import ALICE, BOB, hire, outbox, pair_device, ref, report, running_session_id, work

MON = utc(2026, 11, 16, 9)


@pytest.mark.parametrize("limit_hours, slots, told", [
    (Decimal("2"), 9, []),  # 1:30 of 2 h: 75%
    (Decimal("2"), 10, [80]),  # 1:40: 83%
    (Decimal("2"), 12, [100]),  # the limit reached: only the highest level is news
    (None, 30, []),  # no limit, no alerts
])
def test_limit_alerts_tell_both_parties_the_highest_level_reached(ctx, limit_hours, slots, told):
    hire(ctx, MON, limit_hours=limit_hours)
    work(ctx, pair_device(ctx, BOB, MON), BOB, MON, slots)
    now = MON + timedelta(minutes=10 * slots + 1)
    jobs.limit_alerts(ctx, now=now)
    alerts = outbox(ctx, "limit")
    assert sorted(row.channel for row in alerts) == (["@U-alice", "@U-bob"] if told else [])
    assert all(f":{told[0]}:" in row.dedupe_key for row in alerts)


def test_each_limit_level_is_told_once_per_week(ctx):
    hire(ctx, MON, limit_hours=Decimal("2"))
    device = pair_device(ctx, BOB, MON)
    work(ctx, device, BOB, MON, 10)
    for minutes in (101, 106):
        jobs.limit_alerts(ctx, now=MON + timedelta(minutes=minutes))
    work(ctx, device, BOB, MON + timedelta(hours=2), 3)
    for minutes in (151, 156):
        jobs.limit_alerts(ctx, now=MON + timedelta(minutes=minutes))
    texts = {row.channel + " " + row.dedupe_key.split(":")[4]: row.payload["text"] for row in outbox(ctx, "limit")}
    assert sorted(texts) == ["@U-alice 100", "@U-alice 80", "@U-bob 100", "@U-bob 80"]
    assert texts["@U-bob 80"] == "You have worked 1:40 of your 2 h weekly limit on contract #1 (80%)."
    assert "bob reached the 2 h weekly limit" in texts["@U-alice 100"] and "/contract limit" in texts["@U-alice 100"]


def test_a_silent_agent_is_reported_to_the_freelancer_once_per_silence(ctx):
    hire(ctx, MON)
    device = pair_device(ctx, BOB, MON)
    sessions.clock_in(ctx, BOB, memo="api", now=MON)
    session_id = running_session_id(ctx)
    ingest.record_slot(ctx, device, report(session_id, MON), None, now=MON + timedelta(minutes=10))

    def told_at(minutes: int) -> str:
        return jobs.agent_lost(ctx, now=MON + timedelta(minutes=minutes))

    assert told_at(24).startswith("agent-lost: 0")
    assert told_at(25).startswith("agent-lost: 1") and told_at(40).startswith("agent-lost: 0")
    (lost,) = outbox(ctx, "agent_lost")
    assert lost.channel == "@U-bob" and "since Monday 2026-11-16 09:10 (UTC)" in lost.payload["text"]
    ingest.record_slot(ctx, device, report(session_id, MON + timedelta(minutes=40)), None, now=MON + timedelta(minutes=50))
    assert told_at(64).startswith("agent-lost: 0") and told_at(65).startswith("agent-lost: 1")
    sessions.clock_out(ctx, BOB, now=MON + timedelta(minutes=70))
    assert told_at(200).startswith("agent-lost: 0")


def test_clocking_in_without_an_agent_running_is_noticed_too(ctx):
    hire(ctx, MON)
    sessions.clock_in(ctx, BOB, now=MON)
    assert jobs.agent_lost(ctx, now=MON + timedelta(minutes=15)).startswith("agent-lost: 1")


def png() -> images.Image:
    out = io.BytesIO()
    Image.new("RGB", (64, 40), (20, 90, 160)).save(out, "PNG")
    return images.inspect(out.getvalue())


def shot_slot(ctx, device, start) -> None:
    sessions.clock_in(ctx, BOB, now=start)
    ingest.record_slot(ctx, device, report(running_session_id(ctx), start), png(), now=start + timedelta(minutes=10))
    sessions.clock_out(ctx, BOB, now=start + timedelta(minutes=10))


def test_retention_deletes_old_screenshots_and_keeps_their_time(ctx):
    hire(ctx, MON)
    device = pair_device(ctx, BOB, MON)
    shot_slot(ctx, device, MON)
    shot_slot(ctx, device, MON + timedelta(days=20))
    with ctx.unit() as s:
        old, recent = s.exec(select(Screenshot).order_by(Screenshot.id)).all()
    assert jobs.screenshot_retention(ctx, now=MON + timedelta(days=31)).startswith("retention: screenshots are kept")
    kept = replace(ctx, retention_days=30)
    assert jobs.screenshot_retention(kept, now=MON + timedelta(days=31)) == "retention: 1 screenshots older than 30 days deleted"
    assert jobs.screenshot_retention(kept, now=MON + timedelta(days=31)).startswith("retention: 0")
    assert kept.blobs.get(old.blob_key) is None and kept.blobs.get(recent.blob_key) is not None
    with ctx.unit() as s:
        assert [x.id for x in s.exec(select(Screenshot))] == [recent.id]
    week = views.timesheet(ctx, ALICE, now=MON + timedelta(days=31), week="2026-W47", other=ref(BOB))
    assert week.statement.counted_minutes == 10
