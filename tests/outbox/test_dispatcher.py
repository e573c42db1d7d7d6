"""The outbox dispatcher: each message once, in order per channel, at the platform's pace,
retried when the platform says so, and a permanent failure shown on the contract."""

import asyncio
import random
from datetime import timedelta

import pytest

from bot.delivery import Delivery
from bot.outbox_dispatcher import LEASE, MAX_ATTEMPTS, Dispatcher, backoff, utcnow
from bot.render.cards import card_for
from bot.services import contracts
from storage import outbox
from storage.tables import Outbox
from tests.conftest import utc
from tests.outbox.fakes import Clock, FakeSender, queue_messages, rows
from tests.services.helpers import ALICE, hire

T0 = utc(2026, 11, 23, 12)


def dispatcher(ctx, sender, clock, **kw) -> Dispatcher:
    return Dispatcher(ctx, [sender], clock=clock, rng=random.Random(7), **kw)


async def test_each_message_is_sent_once_and_marked_with_the_platform_id(ctx):
    ids = queue_messages(ctx, T0, "C1", "C2")
    sender, clock = FakeSender(), Clock(T0)
    sending = dispatcher(ctx, sender, clock)
    assert [o.state for o in await sending.step(T0)] == ["sent", "sent"]
    assert await sending.step(clock.advance(minutes=5)) == []
    after = rows(ctx)
    assert sorted(sender.sent) == [(ids[0], "C1"), (ids[1], "C2")]
    assert [(after[i].status, after[i].external_id, after[i].sent_at) for i in ids] == [("sent", f"ts-{i}", T0) for i in ids]


async def test_slack_gets_one_message_a_second_per_channel_in_order_with_channels_in_parallel(ctx):
    first, second, other = queue_messages(ctx, T0, "C1", "C1", "C2")
    sender, clock = FakeSender(), Clock(T0)
    sending = dispatcher(ctx, sender, clock)
    await sending.step(T0)
    assert sender.sent == [(first, "C1"), (other, "C2")]
    await sending.step(clock.advance(seconds=0.5))
    assert len(sender.sent) == 2
    await sending.step(clock.advance(seconds=0.5))
    assert sender.sent[-1] == (second, "C1")


async def test_platforms_without_a_pace_send_a_channel_s_messages_back_to_back(ctx):
    ids = queue_messages(ctx, T0, "D1", "D1", "D1", platform="discord")
    sender, clock = FakeSender(platform="discord"), Clock(T0)
    sending = dispatcher(ctx, sender, clock)
    for _ in ids:
        await sending.step(T0)
    assert [row_id for row_id, _ in sender.sent] == ids


async def test_a_429_is_retried_exactly_when_retry_after_says(ctx):
    (row_id,) = queue_messages(ctx, T0, "C1")
    sender, clock = FakeSender(script={"C1": [Delivery(ok=False, retry_after=30)]}), Clock(T0)
    sending = dispatcher(ctx, sender, clock)
    assert [o.state for o in await sending.step(T0)] == ["retry"]
    assert rows(ctx)[row_id].next_attempt_at == T0 + timedelta(seconds=30)
    assert await sending.step(clock.advance(seconds=29)) == []
    assert [o.state for o in await sending.step(clock.advance(seconds=1))] == ["sent"]
    assert sender.tries == [row_id, row_id] and rows(ctx)[row_id].attempts == 2


async def test_a_rate_limited_channel_holds_its_later_messages_back_too(ctx):
    first, second = queue_messages(ctx, T0, "C1", "C1")
    sender, clock = FakeSender(script={"C1": [Delivery(ok=False, retry_after=30)]}), Clock(T0)
    sending = dispatcher(ctx, sender, clock)
    await sending.step(T0)
    await sending.step(clock.advance(seconds=10))
    assert sender.tries == [first]
    await sending.step(clock.advance(seconds=20))
    await sending.step(clock.advance(seconds=1))
    assert [row_id for row_id, _ in sender.sent] == [first, second]


@pytest.mark.parametrize("answer", [Delivery(ok=False), ConnectionResetError("reset by peer")])
async def test_passing_failures_back_off_with_jitter_and_then_succeed(ctx, answer):
    (row_id,) = queue_messages(ctx, T0, "C1")
    sender, clock = FakeSender(script={"C1": [answer, answer]}), Clock(T0)
    sending = dispatcher(ctx, sender, clock)
    await sending.step(T0)
    first_wait = rows(ctx)[row_id].next_attempt_at - T0
    assert timedelta(seconds=1) <= first_wait <= timedelta(seconds=2)
    await sending.step(clock.advance(seconds=2))
    second_wait = rows(ctx)[row_id].next_attempt_at - clock.now
    assert timedelta(seconds=2) <= second_wait <= timedelta(seconds=4)
    await sending.step(clock.advance(seconds=4))
    assert rows(ctx)[row_id].status == "sent" and sender.sent == [(row_id, "C1")]


def test_backoff_doubles_up_to_a_cap_and_never_repeats_in_lockstep():
    rng = random.Random(1)
    waits = [backoff(n, rng) for n in range(1, 30)]
    assert all(w <= 15 * 60 for w in waits) and waits[-1] >= 15 * 60 / 2
    assert len({round(w, 6) for w in waits}) == len(waits)


async def test_a_permanent_error_is_recorded_and_shown_on_the_contract_until_a_message_gets_through(ctx):
    hire(ctx, T0)  # alice's contract in channel C1, announced there
    sender, clock = FakeSender(script={"C1": [Delivery(ok=False, permanent_error="not_in_channel")]}), Clock(T0)
    sending = dispatcher(ctx, sender, clock)
    assert [o.state for o in await sending.step(T0)] == ["failed"]
    (failed,) = rows(ctx).values()
    assert (failed.kind, failed.status, failed.error) == ("contract", "failed", "not_in_channel")
    assert "Messages to the channel fail: not_in_channel" in card_for(contracts.show(ctx, ALICE)).lines[0]
    queue_messages(ctx, clock.now, "C1")  # the bot was invited back; the next message gets through
    assert [o.state for o in await sending.step(clock.advance(minutes=1))] == ["sent"]
    assert card_for(contracts.show(ctx, ALICE)).lines == []


async def test_a_failed_direct_message_is_recorded_without_blaming_the_channel(ctx):
    hire(ctx, T0)
    queue_messages(ctx, T0, "@U-bob")
    sender = FakeSender(script={"@U-bob": [Delivery(ok=False, permanent_error="cannot_dm_bot")]})
    await dispatcher(ctx, sender, Clock(T0)).step(T0)
    assert {r.kind: r.error for r in rows(ctx).values()} == {"contract": None, "test": "cannot_dm_bot"}
    assert card_for(contracts.show(ctx, ALICE)).lines == []


async def test_two_dispatchers_at_once_send_every_message_exactly_once(ctx):
    channels = [f"C{n % 7}" for n in range(60)]
    queue_messages(ctx, T0, *channels)
    sender, clock = FakeSender(), Clock(T0)
    one, two = (dispatcher(ctx, sender, clock, pace={}, max_in_flight=5) for _ in range(2))
    for _ in range(20):
        await asyncio.gather(one.step(T0), two.step(T0))
    assert sorted(row_id for row_id, _ in sender.sent) == sorted(rows(ctx))
    assert len(sender.tries) == 60


async def test_a_dispatcher_that_died_mid_send_is_taken_over_after_the_lease(ctx):
    (row_id,) = queue_messages(ctx, T0, "C1")
    with ctx.unit() as s:  # what a dispatcher does just before it is killed
        assert [r.id for r in outbox.claim(s, ids=[row_id], token="dead:1", now=T0, stale_before=T0 - LEASE)] == [row_id]
    sender, clock = FakeSender(), Clock(T0)
    sending = dispatcher(ctx, sender, clock)
    assert await sending.step(clock.advance(minutes=1)) == []
    await sending.step(clock.advance(seconds=LEASE.total_seconds()))
    assert sender.sent == [(row_id, "C1")] and rows(ctx)[row_id].attempts == 2


async def test_busy_workspaces_take_turns(ctx):
    busy = queue_messages(ctx, T0, "C1", "C2", "C3", "C4", workspace="T-busy")
    calm = queue_messages(ctx, T0, "C9", workspace="T-calm")
    sender = FakeSender()
    await dispatcher(ctx, sender, Clock(T0), max_in_flight=2).step(T0)
    assert sorted(row_id for row_id, _ in sender.sent) == [busy[0], calm[0]]


async def test_the_run_loop_sends_what_is_queued_and_stops_when_told(ctx):
    ids = queue_messages(ctx, utcnow(), "D1", "D2", "D1", platform="discord")
    sender, stop = FakeSender(platform="discord"), asyncio.Event()
    sending = Dispatcher(ctx, [sender], pace={})

    async def stop_when_all_sent():
        while len(sender.sent) < len(ids):
            await asyncio.sleep(0.01)
        stop.set()

    await asyncio.wait_for(asyncio.gather(sending.run(stop, poll=0.05), stop_when_all_sent()), timeout=10)
    assert sorted(row_id for row_id, _ in sender.sent) == ids
    assert {row.status for row in rows(ctx).values()} == {"sent"}


async def test_a_message_s_chart_is_in_the_blob_store_when_the_sender_gets_it(ctx):
    (row_id,) = queue_messages(ctx, T0, "C1")
    with ctx.unit() as s:
        row = s.get(Outbox, row_id)
        row.payload = {**row.payload, "image_key": "charts/1/hours-2026-W47.png",
                       "chart": {"title": "Hours per day, 2026-W47", "bars": [["Mon", 120, 0, 0], ["Tue", 0, 0, 0]]}}
    seen = []

    def look(message):
        seen.append(ctx.blobs.get(message.payload["image_key"])[:8])
        return Delivery(ok=True)

    await dispatcher(ctx, FakeSender(script={"C1": [look]}), Clock(T0)).step(T0)
    assert seen == [b"\x89PNG\r\n\x1a\n"]


async def test_unexplained_failures_are_given_up_after_max_attempts_but_a_platform_s_wait_is_always_honoured(ctx):
    quiet, limited = queue_messages(ctx, T0, "C1", "C2")
    sender = FakeSender(script={"C1": [Delivery(ok=False)] * MAX_ATTEMPTS,
                                "C2": [Delivery(ok=False, retry_after=1)] * (MAX_ATTEMPTS + 5)})
    clock = Clock(T0)
    sending = dispatcher(ctx, sender, clock)
    for _ in range(MAX_ATTEMPTS + 6):
        await sending.step(clock.advance(hours=1))
    after = rows(ctx)
    assert (after[quiet].status, after[quiet].attempts) == ("failed", MAX_ATTEMPTS)
    assert after[quiet].error.startswith(f"gave up after {MAX_ATTEMPTS} attempts")
    assert (after[limited].status, after[limited].attempts) == ("sent", MAX_ATTEMPTS + 6)


class Hangs:
    """A platform that takes a send and never answers."""

    platform = "slack"

    def __init__(self) -> None:
        self.started = asyncio.Event()

    async def send(self, message: Outbox) -> Delivery:
        self.started.set()
        await asyncio.Event().wait()


async def test_a_send_still_going_at_shutdown_is_handed_back_unclaimed_and_uncounted(ctx):
    (row_id,) = queue_messages(ctx, T0, "C1")
    sender, stop = Hangs(), asyncio.Event()
    running = asyncio.create_task(Dispatcher(ctx, [sender], clock=Clock(T0)).run(stop, grace=0.05))
    await asyncio.wait_for(sender.started.wait(), 10)
    stop.set()
    await asyncio.wait_for(running, 10)
    row = rows(ctx)[row_id]
    assert (row.status, row.claimed_by, row.claimed_at, row.attempts) == ("pending", None, None, 0)
    assert [o.state for o in await dispatcher(ctx, FakeSender(), Clock(T0)).step(T0)] == ["sent"]  # the next start sends it
