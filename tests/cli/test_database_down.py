"""PostgreSQL stopped under a running `tally serve`, then started again (on a cluster of the test's
own): agents get 503 with Retry-After and lose nothing, /healthz says the database is down, the
log has one line when it goes and one when it is back, and no traceback."""

import os
import signal
import subprocess
import sys
import time
from datetime import UTC, datetime, timedelta

import httpx
import pytest

from bot.runtime import build_context
from bot.services import links
from bot.settings import Settings
from storage.outage import RETRY_AFTER_SECONDS
from tests.api.world import (
    API,
    BOB,
    Slot,
    bearer,
    clock_in,
    hire,
    pair_agent,
    screenshot,
)
from tests.cli.test_serve import free_port, wait_for
from tests.private_postgres import wait_until

pytestmark = pytest.mark.filterwarnings("ignore::DeprecationWarning")


def send(client: httpx.Client, token: str, slot: Slot) -> httpx.Response:
    files = {"meta": (None, slot.meta(), "application/json"), "screenshot": ("shot.webp", screenshot(), "image/webp")}
    return client.post(f"{API}/slots", files=files, headers=bearer(token))


@pytest.fixture
def world(private_postgres, monkeypatch, tmp_path):
    """bob's agent, clocked in 30 minutes ago, on the private cluster; its two finished slots; the
    path of bob's diary page."""
    monkeypatch.setenv("TALLY_DATABASE_URL", private_postgres.url)
    monkeypatch.setenv("TALLY_SECRET_KEY", "a-secret-key-for-this-test-only-0123456789")
    monkeypatch.setenv("TALLY_DATA_DIR", str(tmp_path))
    ctx = build_context(Settings(_env_file=None))
    now = datetime.now(UTC)
    start = datetime.fromtimestamp((now.timestamp() - 1500) // 600 * 600, UTC)
    contract_id = hire(ctx, start)
    token = pair_agent(ctx, start)
    session_id = clock_in(ctx, start)
    diary = links.diary_link(ctx, BOB, contract_id, now=now).url.removeprefix(ctx.public_url)
    return token, [Slot(session_id, start + timedelta(minutes=10 * n)) for n in range(2)], diary


@pytest.fixture
def server(private_postgres, world, tmp_path):
    port = free_port()
    env = {**os.environ, "TALLY_DATABASE_URL": private_postgres.url, "PORT": str(port), "TALLY_DATA_DIR": str(tmp_path)}
    for name in ("SLACK_APP_TOKEN", "DISCORD_TOKEN", "TALLY_LOG_FORMAT"):
        env.pop(name, None)
    # Slack on (nothing to send): the outbox dispatcher then reads the database every second too.
    env.update(SLACK_BOT_TOKEN="xoxb-test", SLACK_SIGNING_SECRET="secret", SLACK_API_URL=f"http://127.0.0.1:{free_port()}/api/")
    process = subprocess.Popen([sys.executable, "-m", "bot.cli", "serve"], env=env, cwd=tmp_path,
                               stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    url = f"http://127.0.0.1:{port}"
    wait_for(f"{url}/healthz", process)
    yield url, process
    if process.poll() is None:
        process.send_signal(signal.SIGTERM)
        process.wait(30)


def test_an_outage_answers_503_loses_nothing_and_is_logged_once_each_way(private_postgres, world, server):
    token, (first, second), diary = world
    url, process = server
    with httpx.Client(base_url=url, timeout=30) as client:
        assert send(client, token, first).status_code == 201
        assert client.get("/healthz").json() == {"ok": True}

        private_postgres.stop()
        refused = send(client, token, second)
        assert refused.status_code == 503 and refused.headers["Retry-After"] == str(RETRY_AFTER_SECONDS)
        assert refused.json()["error"] == "database_unavailable" and "try again" in refused.json()["detail"]
        state = client.get(f"{API}/state", headers=bearer(token))
        assert state.status_code == 503 and state.json()["error"] == "database_unavailable"
        health = client.get("/healthz")
        assert (health.status_code, health.json()) == (503, {"ok": False, "database": "down"})
        assert client.get("/").status_code in (200, 503)
        page = client.get(diary)  # a person on the diary page gets a page saying so
        assert page.status_code == 503 and "text/html" in page.headers["content-type"]
        assert "Tally&#39;s database is unavailable, try again in a minute." in page.text
        for _ in range(5):  # agents keep trying; the log must not grow with them
            assert send(client, token, second).status_code == 503
        time.sleep(2.5)  # the dispatcher and the long-poll checks run into the outage too

        private_postgres.start()
        wait_until(lambda: client.get("/healthz").status_code == 200)
        assert send(client, token, second).status_code == 201  # the agent's retry: nothing was lost
        assert send(client, token, first).status_code == 200  # and the first slot is still there
    process.send_signal(signal.SIGTERM)
    logs = process.communicate(timeout=30)[1]
    assert logs.count("database unavailable") == 1, logs
    assert logs.count("database is back") == 1, logs
    assert "Traceback" not in logs and '" 500' not in logs, logs


def test_serve_started_while_the_database_is_down_says_so_in_one_line(tmp_path):
    env = {**os.environ, "TALLY_DATABASE_URL": f"postgresql+psycopg://postgres@127.0.0.1:{free_port()}/tally",
           "PORT": str(free_port()), "TALLY_DATA_DIR": str(tmp_path)}
    done = subprocess.run([sys.executable, "-m", "bot.cli", "serve"], env=env, cwd=tmp_path, capture_output=True,
                          text=True, timeout=60, check=False)
    assert done.returncode == 2
    assert "tally: the database does not answer" in done.stderr and "Traceback" not in done.stderr
