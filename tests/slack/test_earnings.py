"""/earnings, /paid and /profile through the real Slack app and the fake Slack Web API, and the
profile on the App Home."""

from datetime import UTC, datetime, timedelta

from bot.services import review
from bot.services.views import pick_week
from tests.slack.conftest import MONDAY, deliver, hire, work_an_hour
from tests.slack.harness import ALICE, BOB, CAROL, CHANNEL, labels, text_of
from tests.slack.test_home import published

CLOSE = datetime(2026, 11, 23, 12, tzinfo=UTC)
DUE = datetime(2026, 12, 2, 0, tzinfo=UTC)


def test_the_client_marks_a_due_week_paid_and_the_freelancer_is_told(slack, fake, ctx, clock):
    """Rule: docs/rules.md#earnings"""
    hire(slack, 'title="Docs"')
    work_an_hour(ctx, MONDAY)
    review.close_week(ctx, 1, pick_week("2026-W47", "UTC", MONDAY), now=CLOSE)
    deliver(ctx, fake, clock)
    clock.now = CLOSE + timedelta(hours=1)

    assert "40.00 USD pending, available from Wednesday 2026-12-02 00:00 (UTC)" in slack.ask(ALICE, "paid", "2026-W47")["text"]
    clock.now = DUE
    review.auto_approve_due(ctx, now=DUE)  # nobody reviewed it: approved at the review deadline
    deliver(ctx, fake, clock)
    assert "Only the client of this contract can mark its weeks paid." in slack.ask(BOB, "paid", "2026-W47")["text"]
    assert "You are not the client of any contract with bob" in slack.ask(CAROL, "paid", f"2026-W47 {BOB.mention}")["text"]
    assert deliver(ctx, fake, clock) == []

    mine = slack.ask(BOB, "earnings")
    assert "#1 Docs (client alice): pending 0.00 USD · available 40.00 USD · paid 0.00 USD" in text_of(mine["blocks"])
    reply = slack.ask(ALICE, "paid", "2026-W47")
    assert "Week 2026-W47 of #1 Docs (bob) marked paid: 40.00 USD. bob is told." in reply["text"]
    [told] = deliver(ctx, fake, clock)
    assert told["text"] == "alice marked week 2026-W47 of Docs paid: 40.00 USD." and told["channel"] != "C0CONTRACT"
    assert "already marked paid" in slack.ask(ALICE, "paid", "2026-W47")["text"]
    assert deliver(ctx, fake, clock) == []
    assert "paid 40.00 USD" in text_of(slack.ask(ALICE, "earnings", BOB.mention)["blocks"])


def test_anyone_sees_a_profile_and_the_app_home_shows_ones_own(slack, fake, ctx, clock):
    """Rule: docs/rules.md#profile"""
    hire(slack, 'title="Secret project"')
    work_an_hour(ctx, MONDAY)
    clock.now = MONDAY + timedelta(hours=2)

    reply = text_of(slack.ask(CAROL, "profile", BOB.mention)["blocks"])
    assert "Profile of bob" in reply and "1:00" in reply and "1 active, 0 ended" in reply and "2026-11-16" in reply
    assert "Secret" not in reply and "USD" not in reply and "alice" not in reply

    slack.home_opened(BOB)
    home = text_of(published(fake, BOB, 1)["blocks"])
    assert "Profile of bob" in home and "First tracked day" in home


def test_a_mark_made_by_mistake_is_undone_from_the_private_reply(slack, fake, ctx, clock):
    """Rule: docs/rules.md#earnings"""
    hire(slack, 'title="Docs"')
    work_an_hour(ctx, MONDAY)
    review.close_week(ctx, 1, pick_week("2026-W47", "UTC", MONDAY), now=CLOSE)
    review.auto_approve_due(ctx, now=DUE)
    clock.now = DUE
    deliver(ctx, fake, clock)

    reply = slack.ask(ALICE, "paid", "2026-W47")
    assert reply["response_type"] == "ephemeral" and labels(reply["blocks"]) == ["Undo"]
    deliver(ctx, fake, clock)  # bob is told of the mark
    private = {**reply, "ts": "1764633600.000100", "channel": CHANNEL}  # the reply as only alice sees it

    refused = slack.reply(slack.click(BOB, private, "Undo", ephemeral=True))
    assert "Only the client of a contract can take back its paid marks." in refused["text"]
    assert "paid 40.00 USD" in text_of(slack.ask(BOB, "earnings")["blocks"])

    undone = slack.reply(slack.click(ALICE, private, "Undo", ephemeral=True))
    assert undone["replace_original"] is True and labels(undone["blocks"]) == []  # the button is gone with the mark
    assert "is taken back: 40.00 USD is owed again. bob is told." in undone["text"]
    [told] = deliver(ctx, fake, clock)
    assert told["text"] == "alice took back the paid mark of week 2026-W47 of Docs: 40.00 USD is not marked paid any more."
    assert "available 40.00 USD · paid 0.00 USD" in text_of(slack.ask(BOB, "earnings")["blocks"])
    assert fake.of("chat.update") == []  # a private reply is changed through its response_url only
