"""Real processes on one machine: a fake Slack, `tally serve`, and `tally-agent` on an Xvfb display."""

import re

import pytest

from agent.home import AgentHome
from agent.queue import Queue
from tests.agent.agentproc import AgentProcess
from tests.agent.conftest import xdisplay, xdotool  # noqa: F401 (fixtures shared with the agent's tests)
from tests.e2e.processes import Tally, libfaketime, wait_until
from tests.slack.fake_slack import FakeSlack
from tests.slack.harness import ALICE, BOB, SECRET, SlackSide


@pytest.fixture(scope="session")
def fake_slack():
    server = FakeSlack()
    server.start()
    yield server
    server.stop()


@pytest.fixture
def tally(tmp_path, fake_slack):
    fake_slack.reset()
    server = Tally(tmp_path, SLACK_BOT_TOKEN="xoxb-e2e", SLACK_SIGNING_SECRET=SECRET, SLACK_API_URL=fake_slack.api_url)
    yield server.start()
    if server.proc and server.proc.poll() is None:
        server.stop()


@pytest.fixture
def slack(tally, fake_slack):
    return SlackSide(tally.url, fake_slack)


@pytest.fixture
def agent(tmp_path, tally, xdisplay):  # noqa: F811
    proc = AgentProcess(tmp_path, tally, xdisplay)
    yield proc
    if proc.proc and proc.proc.poll() is None:
        proc.kill9()


def hire_and_pair(slack: SlackSide, tally: Tally, agent: AgentProcess) -> None:
    """Alice hires Bob in the channel; Bob runs /connect and pastes the command it gives him."""
    hired = slack.ask(ALICE, "contract", f"new {BOB.mention} rate=40 limit=40")
    assert "Contract created: #1" in hired["text"], hired
    connect = slack.ask(BOB, "connect")
    assert connect["response_type"] == "ephemeral"
    [(code, server)] = re.findall(r"tally-agent pair (\S+) --server (\S+)", connect["text"])
    assert server == tally.url
    paired = agent.cli("pair", code, "--server", server)
    assert paired.returncode == 0, paired.stdout + paired.stderr
    agent.start()


def queue_drained(agent: AgentProcess) -> bool:
    """The agent has nothing left to upload and nothing the server refused."""
    queue = Queue(AgentHome(agent.home).queue_path)
    try:
        return queue.pending() == 0 and not queue.rejected()
    finally:
        queue.close()


def need_faketime() -> None:
    if libfaketime() is None:
        pytest.skip("libfaketime is not installed (apt-get install faketime)")


__all__ = ["hire_and_pair", "need_faketime", "queue_drained", "wait_until"]


@pytest.fixture
def agent_on_display(tmp_path, xdisplay):  # noqa: F811
    """An agent for a server the test starts itself."""
    made = []

    def make(server: Tally) -> AgentProcess:
        made.append(AgentProcess(tmp_path, server, xdisplay))
        return made[-1]

    yield make
    for proc in made:
        if proc.proc and proc.proc.poll() is None:
            proc.kill9()
