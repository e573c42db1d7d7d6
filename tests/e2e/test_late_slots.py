"""Late slots end to end: the server is down across the week's edit deadline while the real agent
keeps recording; when it is back (its clock past the deadline, libfaketime) the agent's slots
arrive late, are kept and marked late, the client approves them in Slack, and the statement of
the week they arrived in bills them once. Nothing the agent recorded is refused or lost."""

import time
from datetime import UTC, datetime, timedelta
from decimal import Decimal

from diary.weeks import week_of
from tests.e2e.conftest import hire_and_pair, need_faketime, queue_drained
from tests.e2e.processes import Freelancer, diary_slots, wait_until
from tests.slack.harness import ALICE, BOB, labels, text_of

SLOT = 10  # seconds, TALLY_SLOT_SECONDS in the e2e server


def test_slots_recorded_before_the_deadline_that_arrive_after_it_are_billed_once_approved(tally, slack, fake_slack, agent, xdisplay):
    need_faketime()
    hire_and_pair(slack, tally, agent)
    with Freelancer(xdisplay):
        assert "late test" in slack.ask(BOB, "clockin", "late test")["text"]
        agent.wait_tracking(True)
        assert wait_until(lambda: len(diary_slots(tally)) >= 1, seconds=40), tally.logs()
        on_time = len(diary_slots(tally))
        tally.stop()
        down_at = datetime.now(UTC)
        time.sleep(3 * SLOT)  # the agent records on while the server is down
        later = week_of(down_at, "UTC").edit_deadline + timedelta(minutes=30)
        tally.start(faked_now=later)
        slack.now = lambda: later.timestamp()
        assert wait_until(lambda: late_slots(tally) >= 2, seconds=60), agent.output()
    assert "Clocked out" in slack.ask(BOB, "clockout")["text"]
    agent.wait_tracking(False)
    assert wait_until(lambda: queue_drained(agent), seconds=60), agent.output()  # nothing refused
    assert len(diary_slots(tally)) >= on_time + 2

    asked = late_request(tally, fake_slack)
    assert "Late slots" in asked["text"] and labels(asked["blocks"]) == ["Approve", "Decline"]
    refused = slack.reply(slack.click(BOB, asked, "Approve"))
    assert refused["response_type"] == "ephemeral" and "Only the client" in refused["text"]
    slack.click(ALICE, asked, "Approve")
    [*_, update] = fake_slack.wait("chat.update", timeout=20)
    assert "approved" in text_of(fake_slack.messages[update.args["ts"]]["blocks"])

    arrival = week_of(later, "UTC").label
    sheet = slack.ask(ALICE, "timesheet", f"{arrival} {BOB.mention}")["text"]
    # Under segment billing a slot counts once its screenshot was taken (the one clock-out cut
    # short may have none), and a slot still on its way at the approval asks anew: only the
    # approved request's slots with a screenshot are billed.
    late_minutes = 10 * approved_late_slots(tally)
    amount = (Decimal(late_minutes) / 60 * 40).quantize(Decimal("0.01"))
    assert f"Total {amount} USD" in sheet.replace("*", "") or f"{amount} USD" in sheet, sheet
    again = slack.reply(slack.click(ALICE, asked, "Approve"))
    assert again["response_type"] == "ephemeral" and "already approved" in again["text"]
    statuses = [status for (status,) in tally.rows("SELECT status FROM late_request ORDER BY id")]
    assert statuses[0] == "approved" and set(statuses[1:]) <= {"pending"}, statuses


def approved_late_slots(tally) -> int:
    return len(tally.rows("SELECT s.id FROM slot s JOIN late_request r ON r.id = s.late_request_id "
                          "JOIN screenshot sc ON sc.slot_id = s.id WHERE r.status = 'approved'"))


def late_slots(tally) -> int:
    return len(tally.rows("SELECT id FROM slot WHERE late_request_id IS NOT NULL"))


def late_request(tally, fake_slack) -> dict:
    found = wait_until(lambda: [m for m in list(fake_slack.messages.values()) if "Late slots" in m.get("text", "")], seconds=30)
    assert found, (tally.rows("SELECT kind, status, error FROM outbox"), tally.logs()[-3000:])
    [asked] = found
    return asked
