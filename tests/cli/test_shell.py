"""`tally shell` as a user scripts it: a real process reading commands from standard input."""

import os
import subprocess
import sys

import pytest

SCRIPT = """\
/contract new @bob rate=40 limit=40 title="Docs"
/as bob
/clockin writing docs
/memo review
/diary
/timesheet
/approve
/clockout
/as alice
/clockin
/as bob
/manual 25:00-26:00 x
/frobnicate
/contract new
/timesheet next-week
/diary @bob
/connect
/as alice
/diary @bob
"""


def run_shell(tmp_path, script: str, user: str = "alice", db_url: str | None = None) -> str:
    env = {**os.environ, "TALLY_DATA_DIR": str(tmp_path / "data")}
    if db_url:
        env["TALLY_DATABASE_URL"] = db_url
    done = subprocess.run([sys.executable, "-m", "bot.cli", "shell", "--as", user], input=script, env=env,
                          capture_output=True, text=True, timeout=60, check=True)
    return done.stdout


def replies(transcript: str) -> dict[str, str]:
    """Each command's reply, keyed by the typed line (the last one wins when a line repeats)."""
    out, current = {}, None
    for line in transcript.splitlines():
        if "> /" in line and line.split("> ", 1)[0].isidentifier():
            current = line.split("> ", 1)[1]
            out[current] = ""
        elif current is not None:
            out[current] += line + "\n"
    return out


@pytest.fixture(scope="module")
def transcript(tmp_path_factory):
    return run_shell(tmp_path_factory.mktemp("shell"), SCRIPT)


def test_the_scripted_day_works(transcript):
    said = replies(transcript)
    assert "Contract created: #1 Docs" in said['/contract new @bob rate=40 limit=40 title="Docs"']
    assert "Clocked in on Docs — writing docs." in said["/clockin writing docs"]
    assert "[#general] bob clocked in — writing docs" in said["/clockin writing docs"]
    assert "Memo set: review" in said["/memo review"]
    assert "Tracking now — review" in said["/diary"]
    assert "Timesheet 2026-W" in said["/timesheet"] and "Total: 0.00 USD" in said["/timesheet"]
    assert "Clocked out of Docs" in said["/clockout"]


@pytest.mark.parametrize(
    "line, sentence",
    [
        ("/approve", "Only the client of this contract can approve its hours."),
        ("/clockin", "Only the freelancer of this contract can clock in and out on it."),
        ("/manual 25:00-26:00 x", "is not on the clock; e.g. /manual 09:00-10:30"),
        ("/frobnicate", "I don't know /frobnicate. Try /tally help"),
        ("/contract new", "e.g. /contract new @bob rate=40"),
        ("/timesheet next-week", "write it like 2026-W47"),
    ],
)
def test_wrong_moves_get_one_clear_sentence(transcript, line, sentence):
    reply = replies(transcript)[line]
    assert sentence in reply and len(reply.strip().splitlines()) == 1
    assert "Traceback" not in transcript


def test_the_client_sees_the_freelancers_diary_and_the_freelancer_gets_a_pairing_line(transcript):
    said = replies(transcript)
    assert "Diary of bob" in said["/diary @bob"]
    assert "tally-agent pair " in said["/connect"] and " --server http" in said["/connect"]


def test_wrong_moves_change_nothing(tmp_path):
    setup = '/contract new @bob rate=40\n/as bob\n/clockin a\n/clockout\n'
    before = run_shell(tmp_path, setup + "/timesheet\n")
    wrong = "/approve\n/as alice\n/clockin\n/manual 25:00-26:00 x\n/contract rate -5\n/bonus @bob lots\n/as bob\n/timesheet\n"
    after = run_shell(tmp_path, wrong)
    assert replies(before)["/timesheet"] == replies(after)["/timesheet"]


def test_a_diary_in_the_terminal_comes_with_a_link_to_its_page_for_that_viewer(transcript):
    said = replies(transcript)
    [mine] = [w for w in said["/diary"].split() if w.startswith("http")]
    [alices] = [w for w in said["/diary @bob"].split() if w.startswith("http")]
    assert "[Open diary: " in said["/diary"] and mine.startswith("http://127.0.0.1:8000/diary/")
    assert alices != mine  # each link is signed for the one who asked
