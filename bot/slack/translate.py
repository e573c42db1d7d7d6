"""Slack's shapes into ours: who is acting, mentions, and the escaped text of a slash command."""

import html
import re

from bot.requests import Request, text_line
from bot.services.actors import Actor, UserRef

PLATFORM = "slack"
_USER = re.compile(r"<@([UW][A-Z0-9]+)(?:\|([^>]*))?>")
_CHANNEL = re.compile(r"<#([CGD][A-Z0-9]+)(?:\|([^>]*))?>")
_LINK = re.compile(r"<((?:https?|mailto):[^|>]+)(?:\|([^>]*))?>")
# Slack's editor may curl the quotes of title="Landing page"; the words still belong together.
_CURLY = str.maketrans({"“": '"', "”": '"', "„": '"'})


def parse_mention(token: str) -> UserRef | None:
    """`<@U123|bob>` (the manifest asks Slack to escape mentions) names the user U123."""
    found = _USER.fullmatch(token)
    return UserRef(id=found[1], name=found[2] or "") if found else None


def plain_text(text: str) -> str:
    """Channel names and links as people typed them, `&amp;` back to `&`; user mentions stay tokens."""
    text = _CHANNEL.sub(lambda m: f"#{m[2] or m[1]}", text)
    text = _LINK.sub(lambda m: m[2] or m[1], text)
    return html.unescape(text).translate(_CURLY)


def command_actor(body: dict) -> Actor:
    return Actor(PLATFORM, body.get("team_id") or "", body["user_id"], body.get("user_name") or "", body.get("channel_id") or "")


def interaction_actor(body: dict, channel: str | None = None) -> Actor:
    """The person who clicked or submitted; `channel` for forms, whose payload names none."""
    user = body["user"]
    team = (body.get("team") or {}).get("id") or user.get("team_id") or ""
    where = channel if channel is not None else (body.get("channel") or {}).get("id") or ""
    return Actor(PLATFORM, team, user["id"], user.get("username") or user.get("name") or "", where)


def event_actor(body: dict) -> Actor:
    return Actor(PLATFORM, body.get("team_id") or "", body["event"]["user"])


def spelled(request: Request) -> str:
    """A request as typed in Slack, to suggest it back; a person as @name, which Slack turns back
    into a mention when the line is pasted (the manifest escapes mentions)."""
    return text_line(request, lambda user: f"@{user.name or user.id}")
