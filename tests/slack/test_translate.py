"""Slack's escaped command text and mentions, read back as people typed them; the manifest."""

from pathlib import Path

import pytest
import yaml

from bot.services.actors import UserRef
from bot.slack.slash import COMMANDS
from bot.slack.translate import parse_mention, plain_text

MANIFEST = Path(__file__).parents[2] / "bot" / "slack" / "manifest.yml"


@pytest.mark.parametrize("token, expected", [
    ("<@U024BE7LH|bob>", UserRef("U024BE7LH", "bob")),
    ("<@W0123ABC>", UserRef("W0123ABC", "")),
    ("@bob", None),
    ("<#C024BE7LR|general>", None),
    ("rate=40", None),
])
def test_mentions(token, expected):
    assert parse_mention(token) == expected


@pytest.mark.parametrize("text, expected", [
    ("fixing &lt;head&gt; &amp; footer", "fixing <head> & footer"),
    ("notes in <#C024BE7LR|design>", "notes in #design"),
    ("see <https://example.com/spec|the spec>", "see the spec"),
    ("see <https://example.com/spec>", "see https://example.com/spec"),
    ("new <@UBOB|bob> title=“Landing page”", 'new <@UBOB|bob> title="Landing page"'),
])
def test_plain_text(text, expected):
    assert plain_text(text) == expected


def test_the_manifest_declares_every_command_escaped_on_one_request_url():
    manifest = yaml.safe_load(MANIFEST.read_text())
    commands = {c["command"]: c for c in manifest["features"]["slash_commands"]}

    assert set(commands) == {f"/{name}" for name in COMMANDS}
    assert all(c["should_escape"] is True for c in commands.values())
    urls = {c["url"] for c in commands.values()} | {manifest["settings"]["interactivity"]["request_url"],
                                                    manifest["settings"]["event_subscriptions"]["request_url"]}
    assert urls == {"https://tally.example.com/slack/events"}
    assert manifest["features"]["app_home"]["home_tab_enabled"] is True
    assert "app_home_opened" in manifest["settings"]["event_subscriptions"]["bot_events"]
    assert {"commands", "chat:write", "chat:write.public", "im:write", "files:write", "users:read"} <= set(manifest["oauth_config"]["scopes"]["bot"])
