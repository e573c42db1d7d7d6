"""Tally as a user runs it: `tally serve`, `tally jobs run` and `tally-agent` as separate processes.

The server keeps its SQLite file and screenshots in a folder of the test's; the test reads that
file only to check what the diary holds, the way an operator would with `sqlite3`.
"""

import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from decimal import Decimal
from glob import glob
from pathlib import Path
from typing import Self

import httpx
from sqlalchemy import create_engine, text

TALLY = [sys.executable, "-m", "bot.cli"]
PLATFORM_VARIABLES = ("SLACK_BOT_TOKEN", "SLACK_SIGNING_SECRET", "SLACK_APP_TOKEN", "SLACK_API_URL", "DISCORD_TOKEN",
                      "DISCORD_API_URL", "DISCORD_GATEWAY_URL", "TALLY_DATABASE_URL", "TALLY_BLOB_URL")


def wait_until(condition: Callable[[], object], seconds: float = 30.0, every: float = 0.1):
    """Waits for another process to do something; returns the condition's last value."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        value = condition()
        if value:
            return value
        time.sleep(every)
    return condition()


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Tally:
    """`tally serve` in a child process; it can be stopped, killed and started again on the same data."""

    def __init__(self, folder: Path, **env: str) -> None:
        self.folder, self.port = folder, free_port()
        self.data = folder / "data"
        self.env = {k: v for k, v in os.environ.items() if k not in PLATFORM_VARIABLES}
        self.env |= {"TALLY_DATA_DIR": str(self.data), "PORT": str(self.port), "TALLY_SLOT_SECONDS": "10",
                     "TALLY_PUBLIC_URL": self.url, "TALLY_SECRET_KEY": "e2e-secret-key-e2e-secret-key", **env}
        self.proc: subprocess.Popen | None = None
        self.starts = 0

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self, *, faked_now: datetime | None = None) -> "Tally":
        """Starts the server; with `faked_now` its clock reads that instant (libfaketime), as if days had passed."""
        self.starts += 1
        env = dict(self.env) | (faked_clock(faked_now) if faked_now else {})
        with open(self.folder / f"serve-{self.starts}.log", "w") as log:
            self.proc = subprocess.Popen(TALLY + ["serve"], env=env, cwd=self.folder, stdout=log, stderr=subprocess.STDOUT)
        assert wait_until(self._healthy, seconds=40), self.logs()
        return self

    def _healthy(self) -> bool:
        assert self.proc and self.proc.poll() is None, self.logs()
        try:
            return httpx.get(f"{self.url}/healthz", timeout=1).status_code == 200
        except httpx.TransportError:
            return False

    def stop(self) -> None:
        assert self.proc
        self.proc.send_signal(signal.SIGTERM)
        self.proc.wait(timeout=30)

    def kill9(self) -> None:
        assert self.proc
        self.proc.kill()
        self.proc.wait(timeout=10)

    def tally(self, *args: str, input: str | None = None) -> subprocess.CompletedProcess:
        """Another `tally` command on the same data, e.g. `jobs run week-close --at ...` or `shell --as bob`."""
        return subprocess.run(TALLY + list(args), input=input, env=self.env, cwd=self.folder, capture_output=True, text=True,
                              timeout=120, check=False)

    def wait_until(self, condition, seconds: float = 20.0):  # what AgentProcess asks of its server
        return wait_until(condition, seconds)

    def logs(self) -> str:
        return "\n".join(p.read_text(errors="replace") for p in sorted(self.folder.glob("serve-*.log")))

    def rows(self, sql: str, **params) -> list:
        engine = create_engine(f"sqlite:///{self.data / 'tally.sqlite3'}")
        try:
            with engine.connect() as conn:
                return list(conn.execute(text(sql), params))
        finally:
            engine.dispose()


def libfaketime() -> str | None:
    found = glob("/usr/lib/*/faketime/libfaketime.so.1") + glob("/usr/lib/faketime/libfaketime.so.1")
    return found[0] if found else None


def faked_clock(instant: datetime) -> dict[str, str]:
    """libfaketime preloaded into the server itself (not the `faketime` wrapper, which signals would stop
    without its child): the clock starts at `instant` and runs on from there."""
    return {"LD_PRELOAD": libfaketime() or "", "TZ": "UTC",  # FAKETIME's instant is read in local time
            "FAKETIME": "@" + instant.astimezone(UTC).strftime("%Y-%m-%d %H:%M:%S")}


@dataclass(frozen=True)
class DiarySlot:
    start: str
    keys: int
    mouse: int
    memo: str
    has_screenshot: bool


def diary_slots(tally: Tally) -> list[DiarySlot]:
    """Every tracked slot the server holds, oldest first, with its activity and screenshot."""
    rows = tally.rows("""
        SELECT slot.start, slot.minutes, slot.memo, screenshot.id IS NOT NULL FROM slot
        LEFT JOIN screenshot ON screenshot.slot_id = slot.id
        WHERE slot.manual = 0 AND slot.deleted_at IS NULL ORDER BY slot.start, slot.id""")
    return [DiarySlot(str(start), *_activity(minutes), memo, bool(shot)) for start, minutes, memo, shot in rows]


def with_memo(tally: Tally, memo: str) -> list[DiarySlot]:
    """Slots of that memo with a screenshot and typing in them."""
    return [s for s in diary_slots(tally) if s.memo == memo and s.has_screenshot and s.keys]


def billed(review: str) -> tuple[int, Decimal]:
    """Billable minutes and their amount, as a review message states them (at 40 USD/h)."""
    [(hours, minutes, amount)] = re.findall(r"(\d+):(\d\d) billable × 40\.00 USD/h = ([\d.]+) USD", review)
    return int(hours) * 60 + int(minutes), Decimal(amount)


def _activity(minutes) -> tuple[int, int]:
    import json

    counts = [m for m in json.loads(minutes or "[]") if m]
    return sum(m[0] for m in counts), sum(m[1] for m in counts)


class Freelancer:
    """Somebody at the keyboard: xdotool types and moves the pointer until told to stop."""

    def __init__(self, display: str) -> None:
        self.env, self.done = {**os.environ, "DISPLAY": display}, threading.Event()
        self.thread = threading.Thread(target=self._work, daemon=True)

    def __enter__(self) -> Self:
        assert shutil.which("xdotool"), "xdotool is not installed (apt-get install xdotool)"
        self.thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self.done.set()
        self.thread.join(10)

    def _work(self) -> None:
        step = 0
        while not self.done.wait(0.3):
            step += 1
            subprocess.run(["xdotool", "mousemove", str(300 + step % 400), str(200 + step % 300), "type", "--delay", "30", "ok "],
                           env=self.env, check=False, timeout=10)
