"""The real `tally-agent` as a child process, with its own folder, display and captured output."""

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

from tests.agent.fake_server import CODE, FakeServer

MAIN = "from agent.cli import main; main()"


class AgentProcess:
    def __init__(self, tmp: Path, server: FakeServer, display: str, **env: str) -> None:
        self.home, self.logs, self.server = tmp / "agent-home", tmp / "agent-logs", server
        self.logs.mkdir(exist_ok=True)
        self.env = {**os.environ, "TALLY_AGENT_HOME": str(self.home), "DISPLAY": display, **env}
        self.proc: subprocess.Popen | None = None
        self.runs = 0

    def cli(self, *args: str) -> subprocess.CompletedProcess:
        command = [sys.executable, "-c", MAIN, *args]
        result = subprocess.run(command, env=self.env, capture_output=True, text=True, timeout=60, check=False)
        (self.logs / f"cli-{args[0]}-{time.monotonic_ns()}.log").write_text(result.stdout + result.stderr)
        return result

    def pair(self) -> None:
        assert self.cli("pair", CODE, "--server", self.server.url).returncode == 0

    def start(self) -> "AgentProcess":
        self.runs += 1
        with open(self.logs / f"run-{self.runs}.log", "w") as out:  # the child keeps its own copy
            self.proc = subprocess.Popen(
                [sys.executable, "-c", MAIN, "run"], env=self.env, stdout=out, stderr=subprocess.STDOUT
            )
        assert self.server.wait_until(lambda: (self.status() or {}).get("pid") == self.proc.pid, seconds=20), (
            self.output()
        )
        return self

    def status(self) -> dict | None:
        try:
            return json.loads((self.home / "status.json").read_text())
        except (FileNotFoundError, ValueError):
            return None

    def wait_tracking(self, tracking: bool = True) -> None:
        assert self.server.wait_until(lambda: (self.status() or {}).get("tracking") is tracking), self.output()

    def stop(self, sig: int = signal.SIGINT) -> int:
        assert self.proc
        self.proc.send_signal(sig)
        return self.proc.wait(timeout=30)

    def kill9(self) -> None:
        assert self.proc
        self.proc.kill()
        self.proc.wait(timeout=10)

    def output(self) -> str:
        return "\n".join(p.read_text(errors="replace") for p in sorted(self.logs.iterdir()))

    def files(self) -> dict[Path, bytes]:
        """Every file the agent wrote, byte for byte (queue, its WAL, pairing, status)."""
        return {p: p.read_bytes() for p in self.home.rglob("*") if p.is_file()}
