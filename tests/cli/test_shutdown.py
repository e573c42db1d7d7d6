"""`tally serve` stops promptly on SIGTERM (hosts kill it 10 to 30 s later), and hands back what
it was still sending: no outbox row is left claimed for the next start to wait out."""

import os
import signal
import socket
import subprocess
import sys
import threading
import time
from contextlib import contextmanager
from datetime import UTC, datetime

import httpx
from sqlmodel import select

from bot.runtime import build_context
from bot.settings import Settings
from storage.tables import Outbox
from tests.api.world import hire, pair_agent
from tests.cli.test_serve import free_port, wait_for
from tests.outbox.fakes import queue_messages

# The bound is 2 s; the margin is for a loaded test machine. The measured time is printed.
BOUND = 5.0


@contextmanager
def silent_platform():
    """A 'Slack' that accepts requests and never answers them: a send stays in flight."""
    listener, arrived = socket.create_server(("127.0.0.1", 0)), threading.Event()
    held: list[socket.socket] = []

    def accept() -> None:
        while True:
            try:
                conn, _ = listener.accept()
            except OSError:
                return
            held.append(conn)
            if conn.recv(65536):
                arrived.set()

    threading.Thread(target=accept, daemon=True).start()
    try:
        yield f"http://127.0.0.1:{listener.getsockname()[1]}/api/", arrived
    finally:
        listener.close()
        for conn in held:
            conn.close()


def env_for(tmp_path, port: int, slack_url: str) -> dict:
    env = {**os.environ, "TALLY_DATA_DIR": str(tmp_path / "data"), "PORT": str(port), "SLACK_BOT_TOKEN": "xoxb-test",
           "SLACK_SIGNING_SECRET": "secret", "SLACK_API_URL": slack_url}
    for name in ("SLACK_APP_TOKEN", "DISCORD_TOKEN", "TALLY_DATABASE_URL"):
        env.pop(name, None)
    return env


def long_poll(port: int, token: str, answers: list) -> threading.Thread:
    def ask() -> None:
        reply = httpx.get(f"http://127.0.0.1:{port}/api/v1/agent/state?wait=60",
                          headers={"Authorization": f"Bearer {token}"}, timeout=90)
        answers.append(reply.status_code)

    thread = threading.Thread(target=ask, daemon=True)
    thread.start()
    return thread


def test_sigterm_exits_promptly_answering_waiting_agents_and_handing_back_unsent_messages(tmp_path, monkeypatch):
    port = free_port()
    with silent_platform() as (slack_url, arrived):
        env = env_for(tmp_path, port, slack_url)
        monkeypatch.setenv("TALLY_DATA_DIR", env["TALLY_DATA_DIR"])
        monkeypatch.delenv("TALLY_DATABASE_URL", raising=False)
        ctx, now = build_context(Settings(_env_file=None)), datetime.now(UTC)
        hire(ctx, now)
        token = pair_agent(ctx, now)
        (row_id,) = queue_messages(ctx, now, "C1")
        process = subprocess.Popen([sys.executable, "-m", "bot.cli", "serve"], env=env, cwd=tmp_path,
                                   stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
        try:
            wait_for(f"http://127.0.0.1:{port}/healthz", process)
            answers: list[int] = []
            poller = long_poll(port, token, answers)
            assert arrived.wait(30), "the message never reached the platform"
            time.sleep(0.5)  # the agent's long poll is waiting by now
            began = time.monotonic()
            process.send_signal(signal.SIGTERM)
            process.wait(timeout=30)
            took = time.monotonic() - began
        finally:
            if process.poll() is None:
                process.kill()
            logs = process.stderr.read()
    print(f"SIGTERM to exit: {took:.2f} s")
    assert took < BOUND, logs
    assert process.returncode == 0, logs
    poller.join(5)
    assert answers == [200]  # the waiting agent was answered, not cut off
    with ctx.unit() as s:
        row = s.exec(select(Outbox).where(Outbox.id == row_id)).one()
    assert (row.status, row.claimed_by, row.attempts) == ("pending", None, 0)
    assert "handed back unsent" in logs
