"""How Slack is served: inside the HTTP app, in Socket Mode, or off; and acked within 3 seconds."""

import json
import threading
import time
import uuid
from dataclasses import replace

from fastapi import FastAPI

from bot.http_app import create_app
from bot.settings import Settings
from bot.slack.http import mount
from tests.slack.conftest import slack_settings
from tests.slack.fake_slack import TEAM
from tests.slack.harness import ALICE, BOB, CHANNEL, SlackSide, serve


def test_a_slow_command_is_acked_at_once_and_answered_when_done(ctx, fake, clock):
    release = threading.Event()
    # Waking the agents' long polls is the last step of /clockin; here it hangs until released.
    slow = replace(ctx, on_change=lambda member_id: release.wait(20))
    app = FastAPI()
    mount(app, slow, slack_settings(fake), clock=clock)
    with serve(app) as url:
        side = SlackSide(url, fake)
        side.ask(ALICE, "contract", f"new {BOB.mention} rate=40")

        sent = side.command(BOB, "clockin", "slow day")

        assert sent.http.status_code == 200 and sent.seconds < 3
        assert fake.of("response_url", path=sent.key) == []
        release.set()
        assert "Clocked in on contract #1 — slow day." in side.reply(sent)["text"]


def test_the_http_app_mounts_slack_events(ctx, fake):
    with serve(create_app(ctx, slack_settings(fake))) as url:
        side = SlackSide(url, fake)
        assert side.command(ALICE, "tally", "help", signed=False).http.status_code == 401
        assert "/tally help" in side.ask(ALICE, "tally", "help")["text"]
        check = json.dumps({"token": "legacy", "challenge": "3eZbrw1aBm2rZgRNFdxV2595E9CY3gmdALWMmHkvFXO7tYXAYM8P", "type": "url_verification"})
        answer, _ = side.post(check.encode(), "application/json")
        assert answer.json() == {"challenge": "3eZbrw1aBm2rZgRNFdxV2595E9CY3gmdALWMmHkvFXO7tYXAYM8P"}


def test_without_slack_settings_the_server_runs_and_says_slack_is_off(ctx, fake):
    with serve(create_app(ctx, Settings(_env_file=None))) as url:
        side = SlackSide(url, fake)
        assert side.http.get("/healthz").json() == {"ok": True}
        answer = side.command(ALICE, "tally", "help").http
    assert answer.status_code == 503
    assert "Slack is off" in answer.json()["detail"]


def test_socket_mode_takes_commands_over_the_websocket(ctx, fake):
    settings = slack_settings(fake, SLACK_APP_TOKEN="xapp-1-test", SLACK_SIGNING_SECRET=None)
    with serve(create_app(ctx, settings)) as url:
        [opened] = fake.wait("apps.connections.open")
        assert opened.headers["authorization"] == "Bearer xapp-1-test"
        side = SlackSide(url, fake)
        assert side.command(ALICE, "tally", "help").http.status_code == 404  # no HTTP endpoint in Socket Mode
        key = uuid.uuid4().hex
        fake.send_envelope({
            "envelope_id": "env-1", "type": "slash_commands", "accepts_response_payload": True,
            "payload": {"token": "legacy", "team_id": TEAM, "team_domain": "acme", "channel_id": CHANNEL, "channel_name": "contract",
                        "user_id": ALICE.id, "user_name": ALICE.name, "command": "/tally", "text": "help",
                        "api_app_id": "A0TALLY", "is_enterprise_install": "false", "response_url": fake.response_url(key),
                        "trigger_id": "trigger-socket"},
        })
        [ack] = fake.wait("socket_ack")
        assert ack.args["envelope_id"] == "env-1"
        assert "/clockin [memo]" in fake.wait("response_url", path=key)[0].args["text"]
        started = time.monotonic()
    assert time.monotonic() - started < 10  # the connection closes with the server
