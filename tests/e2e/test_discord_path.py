"""The Discord story end to end: `tally serve` with the real discord.py client, a fake Discord
gateway and REST on 127.0.0.1, and the real agent on Xvfb.

The same week as the Slack story (tests/e2e/test_slack_path.py): 10-second slots that each bill
10 minutes, the week closed with `tally jobs run week-close --at` its edit deadline, and the server
started again with its clock at that deadline, where the review's buttons are pressed. The restart
also shows the bot logging in again on a gateway it left.
"""

import re
from datetime import UTC, datetime, timedelta
from decimal import Decimal

import pytest

from diary.weeks import week_of
from tests.discord.fake import CHANNEL_ID, TOKEN, buttons_of, message_text
from tests.discord.talk import ALICE, BOB
from tests.e2e.conftest import need_faketime, queue_drained
from tests.e2e.discord_side import DiscordSide, private
from tests.e2e.processes import (
    Freelancer,
    Tally,
    billed,
    diary_slots,
    wait_until,
    with_memo,
)


@pytest.fixture
def discord():
    side = DiscordSide().start()
    yield side
    side.stop()


@pytest.fixture
def tally(tmp_path, discord):
    """Overrides the Slack-configured server of conftest (whose `agent` fixture then pairs with this one)."""
    server = Tally(tmp_path, DISCORD_TOKEN=TOKEN, DISCORD_API_URL=discord.fake.api_url,
                   DISCORD_GATEWAY_URL=discord.fake.gateway_url)
    discord.connected(server.start)
    yield server
    if server.proc and server.proc.poll() is None:
        server.stop()


def test_a_week_of_work_from_slash_command_to_approved_statement(tally, discord, agent, xdisplay):
    need_faketime()
    hire_and_pair(discord, tally, agent)
    with Freelancer(xdisplay):
        work_with_two_memos(discord, tally, agent)
    assert "Clocked out" in discord.slash(BOB, "clockout").text
    agent.wait_tracking(False)
    assert wait_until(lambda: queue_drained(agent), seconds=30), agent.output()

    slots = diary_slots(tally)
    deadline = week_of(datetime.fromisoformat(slots[0].start).replace(tzinfo=UTC), "UTC").edit_deadline
    done = tally.tally("jobs", "run", "week-close", "--at", deadline.isoformat())
    assert done.returncode == 0 and "1 weeks closed" in done.stdout, done.stdout + done.stderr

    tally.stop()  # the review is due from the deadline on, and can't be approved while the week is open: days pass
    discord.connected(lambda: tally.start(faked_now=deadline + timedelta(minutes=5)))
    review = posted_review(tally, discord)
    billable, amount = billed(message_text(review))
    assert (len(slots) - 2) * 10 <= billable <= len(slots) * 10  # only a partial first or last slot may not count
    assert amount == (Decimal(billable) / 60 * 40).quantize(Decimal("0.01"))
    refused = discord.click(BOB, review, "Approve")
    assert private(refused) and "Only the client of this contract can approve its hours." in refused.text
    approved = discord.click(ALICE, review, "Approve")
    assert approved.type in (6, 7) and not private(approved)  # the review itself is updated, or edited after a deferral
    assert "approved by alice" in approved.text and f"Total {amount} USD" in approved.text
    assert approved.labels == ["Open diary"]
    assert tally.rows("SELECT status FROM week_review") == [("approved",)]
    tally.stop()  # discord.py logs a failing handler instead of raising it: the log must be clean
    assert not [line for line in tally.logs().splitlines() if " ERROR " in line or line.startswith("Traceback")], tally.logs()


def hire_and_pair(discord: DiscordSide, tally: Tally, agent) -> None:
    """Alice hires Bob in the channel; Bob runs /connect and pastes the command it gives him."""
    hired = discord.slash(ALICE, "contract new", freelancer=BOB, rate=40, limit=40)
    assert "Contract created: #1" in hired.text, hired
    connect = discord.slash(BOB, "connect")
    assert private(connect)
    [(code, server)] = re.findall(r"tally-agent pair (\S+) --server ([^\s`]+)", connect.text)
    assert server == tally.url
    paired = agent.cli("pair", code, "--server", server)
    assert paired.returncode == 0, paired.stdout + paired.stderr
    agent.start()


def work_with_two_memos(discord: DiscordSide, tally: Tally, agent) -> None:
    """Clock in with a memo, work three slots, change the memo, work two more."""
    assert "first task" in discord.slash(BOB, "clockin", memo="first task").text
    agent.wait_tracking(True)
    assert wait_until(lambda: len(with_memo(tally, "first task")) >= 3, seconds=60), tally.logs()
    first = with_memo(tally, "first task")
    assert all(s.has_screenshot for s in first) and sum(s.keys for s in first) > 0 and sum(s.mouse for s in first) > 0
    assert "second task" in discord.slash(BOB, "memo", text="second task").text
    assert wait_until(lambda: len(with_memo(tally, "second task")) >= 2, seconds=60), tally.logs()


def posted_review(tally: Tally, discord: DiscordSide) -> dict:
    """The review message the server's dispatcher posted to the contract's channel, with its buttons."""
    def reviews() -> list[dict]:
        return [m for m in discord.fake.channel_messages if "Approve" in [b.get("label") for b in buttons_of(m)]]

    try:
        [review] = discord.wait_for(reviews, timeout=30)
    except TimeoutError:
        pytest.fail(f"no review posted: {tally.rows('SELECT kind, status, error FROM outbox')}\n{tally.logs()[-3000:]}")
    assert review["channel_id"] == CHANNEL_ID and "Week " in message_text(review)
    assert [b["label"] for b in buttons_of(review)] == ["Approve", "Dispute", "Open diary"]
    return review
