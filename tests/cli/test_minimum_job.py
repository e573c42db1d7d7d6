"""`tally jobs run minimum-reminder --at ISO` as an operator runs it, on a contract made in a real
`tally shell`: the reminder is queued once, however often the job runs."""

import os
import subprocess
import sys
from datetime import UTC, datetime, timedelta

from tests.cli.test_shell import replies, run_shell


def run_job(tmp_path, at: datetime) -> str:
    env = {**os.environ, "TALLY_DATA_DIR": str(tmp_path / "data")}
    done = subprocess.run([sys.executable, "-m", "bot.cli", "jobs", "run", "minimum-reminder", "--at", at.isoformat()],
                          env=env, capture_output=True, text=True, timeout=60, check=True)
    return done.stdout


def test_the_operator_runs_the_reminder_as_of_next_thursday(tmp_path):
    """Rule: docs/rules.md#weekly-minimum"""
    said = replies(run_shell(tmp_path, "/contract new @bob rate=40 min=10\n/contract show\n"))
    assert "Weekly minimum: 10 h/week" in said["/contract show"]
    today = datetime.now(UTC).date()
    thursday = today + timedelta(days=7 + 3 - today.weekday())  # next week's: the contract runs all of it
    nine = datetime(thursday.year, thursday.month, thursday.day, 9, tzinfo=UTC)
    assert run_job(tmp_path, nine - timedelta(minutes=1)).startswith("minimum-reminder: 0")
    assert run_job(tmp_path, nine).startswith("minimum-reminder: 1 freelancers reminded")
    assert run_job(tmp_path, nine + timedelta(minutes=15)).startswith("minimum-reminder: 0")
