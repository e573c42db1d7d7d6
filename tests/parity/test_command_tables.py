"""The README's command table is what each platform accepts: every command (and /contract and
/tally subcommand) it lists is a text command of the shell and Slack, a Slack slash command in
the manifest, and a Discord app command — and none of them accepts a command the table omits."""

import re
from pathlib import Path

import yaml

from bot import commands
from bot.discord.cog import TallyCog
from bot.discord.replies import Wiring
from bot.slack.slash import COMMANDS as SLACK_COMMANDS

ROOT = Path(__file__).parents[2]
GROUPS = ("contract", "tally")
SHELL_ONLY = {"approve", "decline", "dispute", "accept", "answer", "withdraw", "confirm", "revoke"}  # the buttons, typed


def readme_commands() -> set[str]:
    """"clockin", "contract new", "contract show", ... from the first cell of each table row."""
    table = ROOT.joinpath("README.md").read_text().split("## Chat commands", 1)[1].split("\n## ", 1)[0]
    found = set()
    for cell in re.findall(r"^\| `/([^`]+)`", table, flags=re.M):
        name, _, rest = cell.partition(" ")
        if name in GROUPS:
            found |= {f"{name} {sub.split()[0]}" for sub in re.split(r"\\\|", rest.split(" [")[0]) if sub}
        else:
            found.add(name)
    return found


def discord_commands() -> set[str]:
    found = set()
    for command in TallyCog(Wiring(ctx=None)).get_app_commands():
        subs = getattr(command, "commands", None)
        found |= {f"{command.name} {sub.name}" for sub in subs} if subs else {command.name}
    return found


def text_commands() -> set[str]:
    found = {name for name in commands.PARSERS if name not in GROUPS and name not in SHELL_ONLY}
    found |= {f"contract {sub}" for sub in commands.CONTRACT_SUBCOMMANDS}
    return found | {"tally help", "tally summary-channel"}


def test_the_readme_table_lists_what_discord_and_the_text_commands_accept():
    listed = readme_commands()
    assert "contract rate" in listed and "tally help" in listed and "delete" in listed
    assert discord_commands() == listed
    assert text_commands() == listed


def test_the_readme_table_lists_what_the_slack_app_declares():
    manifest = yaml.safe_load(ROOT.joinpath("bot", "slack", "manifest.yml").read_text())
    declared = {c["command"].lstrip("/") for c in manifest["features"]["slash_commands"]}
    top = {name.split()[0] for name in readme_commands()}
    assert declared == set(SLACK_COMMANDS) == top
