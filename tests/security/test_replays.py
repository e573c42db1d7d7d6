"""A signed Slack request sent again within Slack's five minutes is acted on once; the keys live in
the database (so every web process agrees) and are forgotten after the window."""

from datetime import timedelta

from sqlmodel import select

from bot.services import replays
from storage.tables import Bonus, Contract, Dispute, ReplayKey
from tests.slack.conftest import MONDAY, hire
from tests.slack.harness import ALICE, BOB, CHANNEL, view_of
from tests.slack.test_buttons import review_message


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


def _contracts(ctx) -> list:
    with ctx.unit() as s:
        return list(s.exec(select(Contract)))


def test_a_signed_form_submission_sent_again_creates_one_contract(slack, fake, ctx):
    """The new-contract modal's submission, replayed with its signature, does nothing the second time;
    a corrected submission of the same form after an error is a new one and is acted on."""
    slack.command(ALICE, "contract", "new")
    form = view_of(fake.wait("views.open")[0])
    refused = slack.submission(ALICE, form, {"freelancer": BOB.id, "rate": "forty"})
    assert slack.post_payload(refused).json()["response_action"] == "errors"
    fake.names[BOB.id] = "bob"
    good = slack.submission(ALICE, form, {"freelancer": BOB.id, "rate": "40", "title": "API"})
    answers = [slack.post_payload(good) for _ in range(3)]
    assert [a.status_code for a in answers] == [200, 200, 200]
    assert [c.title for c in _contracts(ctx)] == ["API"]
    assert len(fake.wait("chat.postEphemeral")) == 1


def test_a_signed_dispute_form_sent_again_opens_one_dispute(slack, fake, ctx, clock):
    """A dispute submitted through its form and replayed is recorded once."""
    review = review_message(slack, fake, ctx, clock)
    slack.click(ALICE, review, "Dispute")
    form = view_of(fake.wait("views.open")[0])
    submission = slack.submission(ALICE, form, {"range": "09:00-09:30", "reason": "no work visible"})
    assert [slack.post_payload(submission).status_code for _ in range(2)] == [200, 200]
    with ctx.unit() as s:
        assert len(list(s.exec(select(Dispute)))) == 1
