"""`tally serve` and `tally db upgrade` as real processes, the way the README runs them."""

import json
import os
import socket
import subprocess
import sys
import time
import uuid

import httpx
import pytest
from sqlalchemy import text

from storage.engine import make_engine
from tests.conftest import PG_URL


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_for(url: str, process: subprocess.Popen, seconds: float = 30) -> httpx.Response:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise AssertionError(process.stderr.read())
        try:
            return httpx.get(url, timeout=1)
        except httpx.TransportError:
            time.sleep(0.1)
    raise AssertionError(f"{url} did not answer in {seconds} s")


def test_serve_answers_healthz_on_sqlite_and_says_which_platforms_are_off(tmp_path):
    port = free_port()
    env = {**os.environ, "TALLY_DATA_DIR": str(tmp_path / "data"), "PORT": str(port)}
    for name in ("SLACK_BOT_TOKEN", "SLACK_SIGNING_SECRET", "SLACK_APP_TOKEN", "DISCORD_TOKEN", "TALLY_DATABASE_URL"):
        env.pop(name, None)
    process = subprocess.Popen([sys.executable, "-m", "bot.cli", "serve"], env=env, cwd=tmp_path,
                               stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        reply = wait_for(f"http://127.0.0.1:{port}/healthz", process)
        assert reply.status_code == 200 and reply.json()["ok"] is True
        assert (tmp_path / "data" / "tally.sqlite3").exists()
    finally:
        process.terminate()
        logs = process.communicate(timeout=20)[1]
    assert "Slack: off" in logs and "Discord: off" in logs


def test_db_upgrade_migrates_postgresql(tmp_path):
    schema = f"cli_{uuid.uuid4().hex[:10]}"
    admin = make_engine(PG_URL)
    with admin.begin() as conn:
        conn.execute(text(f"CREATE SCHEMA {schema}"))
    try:
        url = f"{PG_URL}?options=-csearch_path%3D{schema}"
        env = {**os.environ, "TALLY_DATABASE_URL": url}
        done = subprocess.run([sys.executable, "-m", "bot.cli", "db", "upgrade"], env=env, cwd=tmp_path,
                              capture_output=True, text=True, timeout=60)
        assert done.returncode == 0, done.stderr
        assert "database at revision" in done.stdout
        with admin.connect() as conn:
            tables = conn.execute(text("select table_name from information_schema.tables where table_schema = :s"), {"s": schema}).scalars().all()
        assert {"contract", "slot", "outbox", "alembic_version"} <= set(tables)
    finally:
        with admin.begin() as conn:
            conn.execute(text(f"DROP SCHEMA {schema} CASCADE"))


@pytest.mark.skipif(os.environ.get("TALLY_SKIP_NETWORK_TESTS") == "1", reason="needs the package index")
def test_the_agent_extra_pulls_in_no_server_library(tmp_path):
    """What `pip install 'tally[agent]'` would install on a machine that has nothing yet."""
    root = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
    done = subprocess.run(
        [sys.executable, "-m", "pip", "install", "--dry-run", "--ignore-installed", "--quiet", "--report", "-", f"{root}[agent]"],
        capture_output=True, text=True, timeout=300, cwd=tmp_path,
    )
    assert done.returncode == 0, done.stderr
    names = {item["metadata"]["name"].lower() for item in json.loads(done.stdout)["install"]}
    assert {"pynput", "mss", "httpx", "pydantic"} <= names
    assert not names & {"slack-bolt", "slack_bolt", "discord.py", "sqlmodel", "sqlalchemy", "fastapi", "alembic", "psycopg", "boto3"}
