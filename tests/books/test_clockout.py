"""The clock-out total: a slot still on its way from the agent is named, and its time follows."""

from datetime import timedelta

from bot.render.cards import card_for
from bot.services import ingest, sessions
from bot.services.results import ClockedOut
from tests.conftest import utc
from tests.services.helpers import BOB, hire, outbox, pair_device, report, running_session_id

TEN = utc(2026, 11, 18, 10)


def test_the_clock_out_says_a_slot_is_on_its_way_and_the_corrected_total_follows_it(ctx):
    hire(ctx, TEN)
    device = pair_device(ctx, BOB, TEN)
    sessions.clock_in(ctx, BOB, memo="work", now=TEN)
    sid = running_session_id(ctx)
    for i in range(2):
        ingest.record_slot(ctx, device, report(sid, TEN + timedelta(minutes=10 * i)), None, now=TEN + timedelta(minutes=10 * i + 10))
    out = sessions.clock_out(ctx, BOB, now=TEN + timedelta(minutes=25))  # the 10:20 slot is still uploading
    assert isinstance(out, ClockedOut) and (out.counted_minutes, out.coming) == (20, 1)
    assert "One more slot is on its way" in " ".join(card_for(out).lines)
    arrived = ingest.record_slot(ctx, device, report(sid, TEN + timedelta(minutes=20), shot_after=180), None,
                                 now=TEN + timedelta(minutes=26))
    assert arrived.counted_minutes == 10
    [told] = outbox(ctx, "clock_total")
    assert told.channel == "@U-bob" and "the session now counts 0:30" in told.payload["text"]


def test_nothing_is_said_to_be_on_its_way_when_every_slot_is_in(ctx):
    hire(ctx, TEN)
    device = pair_device(ctx, BOB, TEN)
    sessions.clock_in(ctx, BOB, memo="work", now=TEN)
    sid = running_session_id(ctx)
    for i in range(2):
        ingest.record_slot(ctx, device, report(sid, TEN + timedelta(minutes=10 * i)), None, now=TEN + timedelta(minutes=10 * i + 10))
    out = sessions.clock_out(ctx, BOB, now=TEN + timedelta(minutes=20))
    assert (out.counted_minutes, out.coming) == (20, 0)
    assert len(card_for(out).lines) == 1
