"""Starting the bot as `tally serve` and `tally worker` do: endpoints, gateway, intents, commands per guild."""

import asyncio

import pytest

from bot.discord.bot import start_discord
from bot.discord.endpoints import DISCORD_REST, rest_base
from tests.discord.conftest import settings_for
from tests.discord.fake import GUILD_ID


@pytest.mark.parametrize(("given", "base"), [
    (None, DISCORD_REST),
    ("http://proxy:8080", "http://proxy:8080/api/v10"),
    ("http://proxy:8080/", "http://proxy:8080/api/v10"),
    ("http://proxy:8080/api", "http://proxy:8080/api/v10"),
    ("http://proxy:8080/api/v9", "http://proxy:8080/api/v9"),
    ("https://discord.example/prefix/api/v10/", "https://discord.example/prefix/api/v10"),
])
def test_the_rest_base_url_may_be_given_with_or_without_its_version(given, base):
    assert rest_base(given) == base


# every declared term, in the order declared
TERM_NAMES = ["rate", "currency", "limit", "weekly", "min", "manual", "screenshots", "billing", "tz", "idle", "window", "webcam", "title"]
OPTIONS = {
    "clockin": ["memo", "contract"], "clockout": [], "memo": ["text"], "diary": ["date", "user", "contract"],
    "timesheet": ["week", "user", "csv", "contract"], "apps": ["week", "user", "contract"], "manual": ["range", "memo", "date", "contract"], "connect": [], "devices": [],
    "bonus": ["user", "amount", "note", "contract"], "delete": ["slot", "date", "contract"], "private": ["switch"],
    "earnings": ["user"], "paid": ["week", "user", "contract"], "profile": ["user"],
    "contract new": ["freelancer", *TERM_NAMES],
    "contract show": ["contract"], "contract pause": ["contract"], "contract resume": ["contract"], "contract end": ["contract"],
    "contract limit": ["limit", "contract"], "contract rate": ["rate", "contract"],
    "contract set": [*TERM_NAMES, "contract"],
    "tally summary-channel": [], "tally help": [],
}


def _flatten(commands: list[dict]) -> dict[str, dict]:
    found = {}
    for command in commands:
        subs = [o for o in command.get("options", []) if o["type"] == 1]
        found.update({f"{command['name']} {s['name']}": s for s in subs} if subs else {command["name"]: command})
    return found


async def test_start_discord_logs_in_with_minimal_intents_and_registers_the_commands_in_each_guild(ctx, fake):
    task = asyncio.create_task(start_discord(ctx, settings_for(fake), guild_ready_timeout=0.01))
    await fake.wait_for(lambda: fake.syncs)
    assert fake.identify["intents"] == 1  # GUILDS only: nothing privileged
    commands = _flatten(fake.synced[GUILD_ID])
    assert {name: [o["name"] for o in c.get("options", [])] for name, c in commands.items()} == OPTIONS
    screenshots = next(o for o in commands["contract new"]["options"] if o["name"] == "screenshots")
    assert [c["value"] for c in screenshots["choices"]] == ["on", "blur", "off"]
    typed = {o["name"]: o["type"] for o in commands["contract new"]["options"]}
    assert (typed["freelancer"], typed["rate"], typed["manual"], typed["idle"]) == (6, 3, 5, 4)  # user, string, boolean, integer
    described = {o["name"]: o["description"] for o in commands["contract set"]["options"]}
    assert described["min"].startswith("Hours per week the freelancer aims for")
    assert [o.get("autocomplete") for o in commands["clockin"]["options"]] == [None, True]
    task.cancel()
    with pytest.raises(asyncio.CancelledError):
        await task
    assert fake.unknown == []
