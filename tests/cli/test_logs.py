"""The server's log as an operator reads it: JSON lines with request ids, and a quiet start."""

import json
import logging
import os
import subprocess
import sys

import httpx

from bot import logs
from tests.cli.test_serve import free_port, wait_for


def run_serve(tmp_path, **env_more) -> tuple[list[str], str]:
    """Starts `tally serve`, asks for /healthz with a request id and for a missing page, stops it; its log lines."""
    port = free_port()
    env = {**os.environ, "TALLY_DATA_DIR": str(tmp_path / "data"), "PORT": str(port), **env_more}
    for name in ("SLACK_BOT_TOKEN", "SLACK_SIGNING_SECRET", "SLACK_APP_TOKEN", "DISCORD_TOKEN", "TALLY_DATABASE_URL"):
        env.pop(name, None)
    process = subprocess.Popen([sys.executable, "-m", "bot.cli", "serve"], env=env, cwd=tmp_path,
                               stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        wait_for(f"http://127.0.0.1:{port}/healthz", process)
        answer = httpx.get(f"http://127.0.0.1:{port}/healthz", headers={"X-Request-ID": "req-42"})
        assert answer.headers["x-request-id"] == "req-42"
        made = httpx.get(f"http://127.0.0.1:{port}/nowhere").headers["x-request-id"]
        httpx.get(f"http://127.0.0.1:{port}/diary/leaky-link-token-123?day=2026-11-18")
    finally:
        process.terminate()
        err = process.communicate(timeout=20)[1]
    return [line for line in err.splitlines() if line.strip()], made


def test_json_logs_are_one_object_a_line_with_time_level_logger_message_and_request_id(tmp_path):
    lines, made = run_serve(tmp_path, TALLY_LOG_FORMAT="json")

    records = [json.loads(line) for line in lines]  # every line is JSON, or this fails
    assert all({"time", "level", "logger", "message", "request_id"} <= set(r) for r in records)
    assert any(r["logger"] == "tally" and r["message"].startswith("tally serve on") for r in records)
    [health] = [r for r in records if "GET /healthz" in r["message"] and r["request_id"] == "req-42"]
    assert health["level"] == "INFO" and health["time"].endswith("+00:00")
    assert any("GET /nowhere" in r["message"] and r["request_id"] == made for r in records)
    assert not [line for line in lines if "leaky-link-token-123" in line]  # diary links stay masked in JSON
    assert any("GET /diary/…?day=2026-11-18" in r["message"] for r in records)


def test_start_up_says_what_matters_in_a_few_lines(tmp_path):
    lines, _ = run_serve(tmp_path)
    start = [line for line in lines if "GET /" not in line]

    assert not [line for line in lines if "Adding job tentatively" in line or "apscheduler" in line]
    assert not [line for line in lines if "agent-lost: 0" in line]
    assert len(start) <= 8, "\n".join(start)
    assert any("Slack: off" in line for line in start) and any("Discord: off" in line for line in start)


def test_a_request_id_sent_by_a_caller_is_kept_only_when_harmless():
    assert logs.request_id_of([(b"x-request-id", b"abc-123")]) == "abc-123"
    made = logs.request_id_of([(b"x-request-id", b"evil\nline: forged")])
    assert made != "evil\nline: forged" and len(made) == 16
    assert len(logs.request_id_of([])) == 16


def test_an_exception_is_kept_inside_its_json_line(capsys):
    root = logging.getLogger()
    handlers, level = list(root.handlers), root.level
    logs.configure("json")
    try:
        try:
            raise ValueError("boom")
        except ValueError:
            logging.getLogger("tally.test").exception("it failed")
    finally:
        root.handlers[:] = handlers
        root.setLevel(level)
    [line] = capsys.readouterr().err.strip().splitlines()
    record = json.loads(line)
    assert record["message"] == "it failed" and "ValueError: boom" in record["exc_info"]
