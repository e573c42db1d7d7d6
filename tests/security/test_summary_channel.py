"""Only a workspace admin may choose or move the summary channel (it shows every contract, freelancer
and amount of the workspace); a move is announced in the channel it leaves."""

import io

from sqlmodel import select

from bot.shell import Shell
from storage.tables import Workspace
from tests.api.conftest import NOW
from tests.slack.harness import ALICE as SLACK_ALICE
from tests.slack.harness import CAROL as SLACK_CAROL


def _summary_channels(ctx) -> list:
    with ctx.unit() as s:
        return [w.summary_channel for w in s.exec(select(Workspace))]


def _shell(ctx):
    out = io.StringIO()
    return Shell(ctx, "alice", out=out, clock=lambda: NOW), out


def test_in_the_shell_a_client_is_refused_and_an_admin_named_with_as_admin_sets_and_moves_it(ctx):
    shell, out = _shell(ctx)
    shell.run(['/contract new @bob rate=40 title="Dummy"', "/tally summary-channel"], echo=True)
    assert "Only a workspace admin can choose the summary channel" in out.getvalue()
    assert _summary_channels(ctx) == [None]

    shell.run(["/as dana admin", "/channel #summary", "/tally summary-channel"], echo=True)
    assert "dana, a workspace admin" in out.getvalue() and _summary_channels(ctx) == ["#summary"]

    shell.run(["/as alice", "/channel #mine", "/tally summary-channel"], echo=True)
    assert _summary_channels(ctx) == ["#summary"]

    shell.run(["/as dana", "/channel #money", "/tally summary-channel"], echo=True)
    assert _summary_channels(ctx) == ["#money"]
    assert "[#summary] dana moved the weekly summary from this channel to #money." in out.getvalue()


def test_help_says_who_may_choose_the_summary_channel(ctx):
    shell, out = _shell(ctx)
    shell.handle("/tally help")
    assert "/tally summary-channel — post the weekly summary of every contract here (workspace admin" in out.getvalue()


def test_on_slack_users_info_decides_who_is_an_admin(slack, fake, ctx):
    refused = slack.ask(SLACK_CAROL, "tally", "summary-channel", channel="C0MINE")
    assert "Only a workspace admin" in refused["text"] and _summary_channels(ctx) in ([], [None])
    done = slack.ask(SLACK_ALICE, "tally", "summary-channel", channel="C0SUMMARY")
    assert "will be posted in C0SUMMARY" in done["text"] and _summary_channels(ctx) == ["C0SUMMARY"]
    asked = [c.args.get("user") for c in fake.calls if c.method == "users.info"]
    assert asked == [SLACK_CAROL.id, SLACK_ALICE.id]


def test_on_slack_an_admin_who_is_no_longer_one_cannot_move_it(slack, fake, ctx):
    slack.ask(SLACK_ALICE, "tally", "summary-channel", channel="C0SUMMARY")
    fake.admins.clear()
    assert "Only a workspace admin" in slack.ask(SLACK_ALICE, "tally", "summary-channel", channel="C0MINE")["text"]
    assert _summary_channels(ctx) == ["C0SUMMARY"]
