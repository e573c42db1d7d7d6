"""The Slack story end to end: `tally serve`, a fake Slack Web API, the real agent on Xvfb.

Slots are 10 s long (`TALLY_SLOT_SECONDS=10`) and each still bills 10 minutes, so a minute of
work is an hour on the statement. The week is closed with `tally jobs run week-close --at` the
week's edit deadline; the server is then started again with its clock at that deadline
(libfaketime), where the review's buttons are pressed, as a client would the following Monday.
"""

from datetime import UTC, datetime, timedelta
from decimal import Decimal

from diary.weeks import week_of
from tests.e2e.conftest import hire_and_pair, need_faketime, queue_drained
from tests.e2e.processes import Freelancer, billed, diary_slots, wait_until, with_memo
from tests.slack.harness import ALICE, BOB, CHANNEL, labels, text_of


def test_a_week_of_work_from_slash_command_to_approved_statement(tally, slack, fake_slack, agent, xdisplay):
    need_faketime()
    hire_and_pair(slack, tally, agent)
    with Freelancer(xdisplay):
        work_with_two_memos(slack, tally, agent)
    assert "Clocked out" in slack.ask(BOB, "clockout")["text"]
    agent.wait_tracking(False)
    assert wait_until(lambda: queue_drained(agent), seconds=30), agent.output()

    slots = diary_slots(tally)
    deadline = week_of(datetime.fromisoformat(slots[0].start).replace(tzinfo=UTC), "UTC").edit_deadline
    done = tally.tally("jobs", "run", "week-close", "--at", deadline.isoformat())
    assert done.returncode == 0 and "1 weeks closed" in done.stdout, done.stdout + done.stderr

    monday = deadline + timedelta(minutes=5)  # the review is due from the deadline on: days pass
    tally.stop()
    tally.start(faked_now=monday)
    slack.now = lambda: monday.timestamp()  # Slack signs with the same day's time
    review = posted_review(tally, fake_slack)
    billable, amount = billed(review["text"])
    assert (len(slots) - 2) * 10 <= billable <= len(slots) * 10  # only a partial first or last slot may not count
    assert amount == (Decimal(billable) / 60 * 40).quantize(Decimal("0.01"))
    refused = slack.reply(slack.click(BOB, review, "Approve"))
    assert refused["response_type"] == "ephemeral" and "Only the client" in refused["text"]
    slack.click(ALICE, review, "Approve")
    [*_, update] = fake_slack.wait("chat.update", timeout=20)
    approved = text_of(fake_slack.messages[update.args["ts"]]["blocks"])
    assert "approved by alice" in approved and f"Total {amount} USD" in approved
    assert tally.rows("SELECT status FROM week_review") == [("approved",)]


def work_with_two_memos(slack, tally, agent) -> None:
    """Clock in with a memo, work three slots, change the memo, work three more."""
    assert "first task" in slack.ask(BOB, "clockin", "first task")["text"]
    agent.wait_tracking(True)
    assert wait_until(lambda: len(with_memo(tally, "first task")) >= 3, seconds=60), tally.logs()
    first = with_memo(tally, "first task")
    assert all(s.has_screenshot for s in first) and sum(s.keys for s in first) > 0 and sum(s.mouse for s in first) > 0
    slack.ask(BOB, "memo", "second task")
    assert wait_until(lambda: len(with_memo(tally, "second task")) >= 2, seconds=60), tally.logs()


def posted_review(tally, fake_slack) -> dict:
    """The review message the server's dispatcher posted to the contract's channel."""
    reviews = wait_until(lambda: [m for m in list(fake_slack.messages.values()) if "Approve" in labels(m["blocks"])], seconds=30)
    assert reviews, (tally.rows("SELECT kind, status, error FROM outbox"), tally.logs()[-3000:])
    [review] = reviews
    assert review["channel"] == CHANNEL and "Week " in review["text"]
    return review
