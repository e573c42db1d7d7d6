"""An ended contract's last weeks are still read, approved and disputed by typing in its channel
(docs/rules.md#approval): a refusal never leaves its parties stuck with "no contract here"."""

from datetime import timedelta

from bot import commands
from bot.services import sessions
from bot.shell import mention
from diary.refusal import Refusal
from tests.conftest import utc
from tests.services.helpers import ALICE, BOB, hire

MON = utc(2026, 11, 16, 9)
IN_REVIEW = utc(2026, 11, 24, 9)


def _run(ctx, actor, line, now):
    name, _, rest = line.partition(" ")
    return commands.run(ctx, actor, name, rest, now=now, mention=mention)


def _worked_then_ended(ctx):
    hire(ctx, MON)
    sessions.clock_in(ctx, BOB, memo="last week", now=MON)
    sessions.clock_out(ctx, BOB, now=MON + timedelta(hours=1))
    ended = _run(ctx, ALICE, "/contract end", MON + timedelta(days=2))
    assert not isinstance(ended, Refusal), ended


def test_after_the_end_the_client_still_reads_and_approves_the_last_week(ctx):
    _worked_then_ended(ctx)
    for line in ("/timesheet last", "/diary 2026-11-16", "/approve 2026-W47"):
        answer = _run(ctx, ALICE, line, IN_REVIEW)
        assert "no contract here" not in getattr(answer, "message", ""), (line, answer)
        assert not isinstance(answer, Refusal), (line, answer)


def test_after_the_end_the_freelancer_is_told_the_contract_ended_not_that_there_is_none(ctx):
    _worked_then_ended(ctx)
    answer = _run(ctx, BOB, "/clockin more", IN_REVIEW)
    assert isinstance(answer, Refusal) and "no contract here" not in answer.message, answer
