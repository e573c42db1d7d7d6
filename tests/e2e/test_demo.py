"""README's "Try it in five minutes", step by step: no Slack, no Discord, the shell plays the chat.

Like the README, the demo's 10-second slots come from a `.env` file in the folder where every
`tally` command runs. The server listens on a free port instead of 8000, and the agent runs on the
test's Xvfb display with xdotool at the keyboard.
"""

import re

import httpx

from tests.e2e.conftest import queue_drained
from tests.e2e.processes import Freelancer, Tally, diary_slots, wait_until


def test_the_five_minute_demo_is_true(tmp_path, agent_on_display):
    tally = Tally(tmp_path)
    for name in ("TALLY_SLOT_SECONDS", "TALLY_SECRET_KEY"):
        tally.env.pop(name)
    (tmp_path / ".env").write_text("TALLY_SLOT_SECONDS=10\n")
    tally.start()
    try:
        agent = agent_on_display(tally)
        said = shell(tally, "alice", '/contract new @bob rate=40 limit=40 title="Demo"')
        assert "Contract created: #1 Demo" in said
        [pair_line] = re.findall(r"tally-agent pair \S+ --server \S+", shell(tally, "bob", "/connect"))
        paired = agent.cli(*pair_line.split()[1:])
        assert paired.returncode == 0 and "Now run: tally-agent run" in paired.stdout, paired.stdout + paired.stderr
        agent.start()
        with Freelancer(agent.env["DISPLAY"]):
            assert "Clocked in on Demo — trying Tally." in shell(tally, "bob", "/clockin trying Tally")
            assert wait_until(lambda: len([s for s in diary_slots(tally) if s.keys]) >= 3, seconds=60), tally.logs()
            diary = shell(tally, "bob", "/diary")
        assert "Diary of bob — Demo" in diary and "Tracking now — trying Tally" in diary
        [link] = re.findall(r"\[Open diary: (\S+)\]", diary)
        page = httpx.get(link, timeout=10)
        assert page.status_code == 200 and page.text.count("<img") >= 3
        agent.wait_tracking(False)  # no input for ten 1-second "minutes": the idle stop clocks Bob out
        assert wait_until(lambda: queue_drained(agent), seconds=30)
        assert "Not tracking." in shell(tally, "bob", "/diary")
    finally:
        tally.stop()


def shell(tally: Tally, user: str, line: str) -> str:
    done = tally.tally("shell", "--as", user, input=line + "\n")
    assert done.returncode == 0 and "Traceback" not in done.stderr, done.stderr
    return done.stdout
