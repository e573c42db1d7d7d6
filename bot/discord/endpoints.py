"""Where the bot talks to: Discord itself, or the REST and gateway proxies named in the settings.

DISCORD_API_URL may name the REST base with or without its version (`http://proxy:8080`,
`http://proxy:8080/api` and `http://proxy:8080/api/v10` all mean the same); DISCORD_GATEWAY_URL
is the websocket URL the gateway is opened at (`ws://proxy:8081/`).
"""

import re

import yarl
from discord.gateway import DiscordWebSocket
from discord.http import Route

API_VERSION = 10
DISCORD_REST = Route.BASE  # Discord's own, as discord.py ships them
DISCORD_GATEWAY = DiscordWebSocket.DEFAULT_GATEWAY


def rest_base(api_url: str | None) -> str:
    """The versioned REST base every route is appended to."""
    if not api_url:
        return DISCORD_REST
    url = api_url.rstrip("/")
    if re.search(r"/api/v\d+$", url):
        return url
    return f"{url}/v{API_VERSION}" if url.endswith("/api") else f"{url}/api/v{API_VERSION}"


def use_endpoints(api_url: str | None, gateway_url: str | None) -> None:
    """Points discord.py at the given REST and gateway bases, or back at Discord's for None.

    discord.py builds every REST route (interaction callbacks and follow-ups included) from
    Route.BASE, and opens the gateway at DEFAULT_GATEWAY, where it also returns after an
    invalidated session. Both are class attributes, so this holds for the whole process, which
    runs one bot.
    """
    Route.BASE = rest_base(api_url)
    DiscordWebSocket.DEFAULT_GATEWAY = yarl.URL(gateway_url) if gateway_url else DISCORD_GATEWAY
