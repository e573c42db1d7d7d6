"""`tally doctor`: each misconfiguration an operator meets, found and named with its fix, against
the fake Slack and Discord servers; and `tally serve` logging the same checks in one line."""

import os
import queue
import subprocess
import sys
import threading

import pytest

from bot.doctor import examine, manifest_scopes, report
from bot.settings import Settings
from storage.engine import make_engine
from storage.migrate import upgrade
from tests.cli.test_serve import free_port
from tests.discord.fake import TOKEN as DISCORD_TOKEN
from tests.discord.fake import FakeDiscord
from tests.slack.fake_slack import FakeSlack

KEY = "k" * 32


@pytest.fixture(scope="module")
def slack():
    server = FakeSlack()
    server.start()
    yield server
    server.stop()


@pytest.fixture
async def discord():
    server = FakeDiscord()
    await server.start()
    yield server
    await server.stop()


@pytest.fixture
def healthy(tmp_path, slack, discord) -> dict:
    """Settings of a deployment where everything is right. The fake Slack answers any Web API
    method, so its `<api>/healthz` stands in for a reachable Tally."""
    slack.reset()
    url = f"sqlite:///{tmp_path / 'tally.sqlite3'}"
    upgrade(make_engine(url))
    return {"TALLY_DATABASE_URL": url, "TALLY_DATA_DIR": str(tmp_path / "data"), "TALLY_SECRET_KEY": KEY,
            "TALLY_PUBLIC_URL": slack.url + "/api", "SLACK_BOT_TOKEN": "xoxb-test", "SLACK_SIGNING_SECRET": "s" * 32,
            "SLACK_API_URL": slack.api_url, "DISCORD_TOKEN": DISCORD_TOKEN, "DISCORD_API_URL": discord.api_url}


async def findings(**values) -> dict:
    found = await examine(Settings(_env_file=None, **values))
    return {f.check: f for f in found}


def failed(found: dict) -> set[str]:
    return {name for name, f in found.items() if not f.ok}


async def test_a_healthy_deployment_passes_every_check(healthy):
    found = await findings(**healthy)

    assert failed(found) == set()
    assert found["Slack scopes"].detail == f"all {len(manifest_scopes())} the manifest asks for"
    assert found["Discord servers"].detail == "in 1"
    assert report(list(found.values())).endswith("everything checks out")


async def test_a_slack_token_missing_a_scope_is_named_with_the_fix(healthy, slack):
    slack.scopes = ("commands", "chat:write", "im:write", "users:read")

    found = await findings(**healthy)

    assert failed(found) == {"Slack scopes"}
    assert found["Slack scopes"].detail == "the token lacks chat:write.public, files:write"
    assert "reinstall the app" in found["Slack scopes"].fix


async def test_a_refused_slack_token_and_a_missing_signing_secret(healthy, slack):
    slack.fail("auth.test", 200, {"ok": False, "error": "invalid_auth"})

    found = await findings(**{**healthy, "SLACK_SIGNING_SECRET": None})

    assert failed(found) == {"Slack token", "Slack signing secret"}
    assert "invalid_auth" in found["Slack token"].detail and "xoxb-" in found["Slack token"].fix
    assert "Basic Information" in found["Slack signing secret"].fix


async def test_a_refused_discord_token_and_a_bot_in_no_server(healthy, discord):
    refused = await findings(**{**healthy, "DISCORD_TOKEN": "wrong"})
    discord.guilds = []
    lonely = await findings(**healthy)

    assert failed(refused) == {"Discord token"} and "developer portal" in refused["Discord token"].fix
    assert failed(lonely) == {"Discord servers"} and "URL Generator" in lonely["Discord servers"].fix


async def test_database_not_migrated_unreachable_and_a_blob_folder_not_writable(healthy, tmp_path):
    empty = await findings(**{**healthy, "TALLY_DATABASE_URL": f"sqlite:///{tmp_path / 'empty.sqlite3'}"})
    away = await findings(**{**healthy, "TALLY_DATABASE_URL": "postgresql+psycopg://nobody@127.0.0.1:9/none"})
    (tmp_path / "a-file").write_text("not a folder")
    unwritable = await findings(**{**healthy, "TALLY_BLOB_URL": str(tmp_path / "a-file" / "shots")})

    assert failed(empty) == {"database"} and "tally db upgrade" in empty["database"].fix
    assert failed(away) == {"database"} and "TALLY_DATABASE_URL" in away["database"].fix
    assert failed(unwritable) == {"screenshots"} and "writable" in unwritable["screenshots"].fix


async def test_no_secret_key_a_short_one_and_an_unreachable_public_url(healthy, tmp_path):
    none = await findings(**{**healthy, "TALLY_SECRET_KEY": None})
    short = await findings(**{**healthy, "TALLY_SECRET_KEY": "abc"})
    (tmp_path / "data").mkdir(exist_ok=True)
    (tmp_path / "data" / "secret.key").write_text("x" * 40)
    kept = await findings(**{**healthy, "TALLY_SECRET_KEY": None})
    unreachable = await findings(**{**healthy, "TALLY_PUBLIC_URL": "http://127.0.0.1:9"})

    assert failed(none) == {"secret key"} and failed(short) == {"secret key"} and failed(kept) == set()
    assert failed(unreachable) == {"public URL"} and "TALLY_PUBLIC_URL" in unreachable["public URL"].fix


async def test_settings_that_would_hurt_a_real_server_are_named(healthy):
    found = await examine(Settings(_env_file=None, **{**healthy, "TALLY_SLOT_SECONDS": "10", "TALLY_LOG_FORMAT": "xml",
                                                      "TALLY_PUBLIC_URL": "http://tally.example.com"}))
    bad = {f.check: f for f in found if not f.ok}

    assert {"TALLY_SLOT_SECONDS", "TALLY_LOG_FORMAT"} <= set(bad)
    assert [f for f in found if f.check == "public URL" and "HTTPS" in f.fix]


def test_the_command_exits_1_and_prints_each_fix(healthy, slack, tmp_path):
    slack.scopes = ("commands",)
    # The fake Discord is served by the test's event loop, which a synchronous test does not run.
    env = {**os.environ, **healthy, "TALLY_PUBLIC_URL": "http://127.0.0.1:9", "DISCORD_TOKEN": ""}
    done = subprocess.run([sys.executable, "-m", "bot.cli", "doctor"], env=env, cwd=tmp_path,
                          capture_output=True, text=True, timeout=60)

    assert done.returncode == 1, done.stdout + done.stderr
    assert "FAIL  Slack scopes: the token lacks" in done.stdout and "FAIL  public URL" in done.stdout
    assert done.stdout.count("      fix: ") == 2 and done.stdout.rstrip().endswith("2 problems to fix")


def test_serve_logs_the_checks_in_one_line_once_listening(healthy, slack, tmp_path):
    slack.scopes = ("commands", "chat:write")
    port = free_port()
    env = {**os.environ, **healthy, "PORT": str(port), "TALLY_PUBLIC_URL": f"http://127.0.0.1:{port}",
           "DISCORD_TOKEN": ""}  # see above
    process = subprocess.Popen([sys.executable, "-m", "bot.cli", "serve"], env=env, cwd=tmp_path,
                               stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    lines: queue.Queue[str] = queue.Queue()
    threading.Thread(target=lambda: [lines.put(line) for line in process.stderr], daemon=True).start()
    try:
        line = ""
        while "doctor:" not in line:
            line = lines.get(timeout=60)
    finally:
        process.terminate()
        process.wait(timeout=20)
    assert slack.of("auth.test")
    assert "doctor: 1 problem — Slack scopes: the token lacks" in line and "run `tally doctor`" in line
