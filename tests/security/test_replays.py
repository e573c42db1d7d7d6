"""A signed Slack request sent again within Slack's five minutes is acted on once; the keys live in
the database (so every web process agrees) and are forgotten after the window."""

from datetime import timedelta

from sqlmodel import select

from bot.services import replays
from storage.tables import Bonus, ReplayKey
from tests.slack.conftest import MONDAY, hire
from tests.slack.harness import ALICE, BOB, CHANNEL


def _bonuses(ctx) -> list:
    with ctx.unit() as s:
        return list(s.exec(select(Bonus)))


def test_one_signed_bonus_sent_three_times_records_one_bonus(slack, fake, ctx):
    hire(slack)
    body = slack.command_body(ALICE, "bonus", f"{BOB.mention} 50 thanks", CHANNEL, "replayed")
    answers = [slack.post(body, "application/x-www-form-urlencoded")[0] for _ in range(3)]
    assert [a.status_code for a in answers] == [200, 200, 200]  # Slack is told "received" each time
    fake.wait("response_url", path="replayed")
    assert [b.amount for b in _bonuses(ctx)] == [50]
    assert len(fake._matching("response_url", "replayed")) == 1


def test_keys_are_kept_for_the_window_then_forgotten(ctx):
    assert replays.first_time(ctx, "slack:T1:trigger-1:command", now=MONDAY)
    assert not replays.first_time(ctx, "slack:T1:trigger-1:command", now=MONDAY + timedelta(minutes=9))
    assert replays.first_time(ctx, "slack:T1:trigger-2:command", now=MONDAY + timedelta(minutes=11))
    with ctx.unit() as s:
        assert [k.key for k in s.exec(select(ReplayKey))] == ["slack:T1:trigger-2:command"]
