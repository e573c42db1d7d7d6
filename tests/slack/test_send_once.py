"""A review whose chart cannot be drawn or attached is posted once, never again whole."""

import random
from datetime import UTC, datetime

from bot.outbox_dispatcher import Dispatcher
from bot.slack.app import slack_sender
from storage import repo
from storage.tables import Outbox
from tests.outbox.fakes import Clock, rows
from tests.slack.conftest import slack_settings

T0 = datetime(2026, 11, 23, 12, 0, tzinfo=UTC)


def queue_review(ctx, chart: dict) -> int:
    with ctx.unit() as s:
        ws = repo.workspace(s, platform="slack", external_id="T1")
        row = Outbox(dedupe_key="review:1:2026-W47", platform="slack", workspace_id=ws.id, channel="C0CONTRACT",
                     kind="review", payload={"text": "Week 2026-W47 of bob", "image_key": "charts/1/hours-2026-W47.png",
                                             "chart": chart}, next_attempt_at=T0, created_at=T0)
        s.add(row)
        s.flush()
        return row.id


async def send_for_an_hour(ctx, fake) -> None:
    clock = Clock(T0)
    sending = Dispatcher(ctx, [slack_sender(ctx, slack_settings(fake))], clock=clock, rng=random.Random(1))
    for _ in range(6):
        await sending.step(clock())
        clock.advance(minutes=10)


async def test_a_chart_upload_answered_oddly_does_not_post_the_review_again(ctx, fake):
    row_id = queue_review(ctx, {"title": "Hours per day, 2026-W47", "bars": [["Mon", 60, 0, 0]]})
    fake.fail("files.getUploadURLExternal", 200, {"ok": True})  # what a confused proxy answered

    await send_for_an_hour(ctx, fake)

    assert len(fake.of("chat.postMessage")) == 1
    assert rows(ctx)[row_id].status == "sent"


async def test_a_chart_that_cannot_be_drawn_is_left_out_and_the_review_goes(ctx, fake):
    row_id = queue_review(ctx, {"title": "Hours per day, 2026-W47", "bars": [["Mon", "not a number"]]})

    await send_for_an_hour(ctx, fake)

    assert len(fake.of("chat.postMessage")) == 1 and fake.of("upload") == []
    assert rows(ctx)[row_id].status == "sent"
