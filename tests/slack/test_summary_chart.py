"""The workspace's weekly summary reaches Slack with its chart, in the message's thread as the review's chart."""

import io
import random

from PIL import Image

from bot import jobs
from bot.outbox_dispatcher import Dispatcher
from bot.services import workspaces
from bot.slack.app import slack_sender
from tests.conftest import utc
from tests.outbox.fakes import Clock
from tests.services.helpers import BOB, as_admin, hire, pair_device, person, work
from tests.slack.conftest import slack_settings

MON = utc(2026, 11, 16, 9)


async def test_the_summary_is_posted_with_a_chart_of_each_freelancer_s_hours(ctx, fake):
    hire(ctx, MON, title="Landing page")
    work(ctx, pair_device(ctx, BOB, MON), BOB, MON, 6)
    workspaces.set_summary_channel(ctx, as_admin(person("alice", "C0SUMMARY")))
    clock = Clock(utc(2026, 11, 23, 13))
    jobs.week_close(ctx, now=clock())
    sending = Dispatcher(ctx, [slack_sender(ctx, slack_settings(fake))], clock=clock, rng=random.Random(1))
    for _ in range(5):
        await sending.step(clock())
        clock.advance(seconds=2)
    posted = {call.args["channel"]: call for call in fake.of("chat.postMessage")}
    assert "Total 40.00 USD" in posted["C0SUMMARY"].args["text"]
    done = {call.args["channel_id"]: call for call in fake.of("files.completeUploadExternal")}
    assert set(done) >= {"C0SUMMARY", "C1"}  # the summary's chart and the review's
    pngs = [Image.open(io.BytesIO(call.args["data"])) for call in fake.of("upload")]
    assert [(p.format, p.size) for p in pngs] == [("PNG", (560, 260))] * 2
