"""Outbox messages to Discord over REST: channel posts and direct messages, drawn like every card.

A direct message's channel is "@<user id>": Discord first opens a DM channel with that user. A
payload's "image_key" names a PNG in the blob store (a chart, a screenshot), shown in the embed.
"""

import asyncio
import json
import logging
import time
from collections.abc import Callable

import aiohttp

from bot.delivery import Delivery
from bot.discord.embeds import buttons_view, card_embed
from bot.discord.endpoints import rest_base
from bot.discord.ratelimits import RateLimits
from bot.render.cards import post_card
from bot.services.context import Context
from bot.settings import Settings
from storage.blobs import BlobStore
from storage.tables import Outbox

log = logging.getLogger("tally.discord")

CHANNEL_MESSAGES = "/channels/{channel_id}/messages"
DM_CHANNELS = "/users/@me/channels"
SOON = 5.0  # seconds before retrying after a network error or a 5xx
TOKEN_TROUBLE = 60.0  # a refused token is an operator's fix; keep the messages until then
# Discord's JSON error codes that mean the message can never be delivered as addressed.
PERMANENT = {10003: "channel_not_found", 10013: "user_not_found", 50001: "missing_access",
             50007: "cannot_message_user", 50013: "missing_permissions"}


def image_name(key: str) -> str:
    """The attachment's file name: the blob's own name, e.g. hours-2026-W47.png."""
    name = key.rsplit("/", 1)[-1]
    return name if name.endswith(".png") else f"{name}.png"


def message_body(payload: dict, image: str | None) -> dict:
    card = post_card(payload)
    embed = card_embed(card).to_dict()
    view = buttons_view(card.buttons)
    body = {"embeds": [embed], "allowed_mentions": {"parse": []}}
    if view is not None:
        body["components"] = view.to_components()
    if image is not None:
        embed["image"] = {"url": f"attachment://{image}"}
        body["attachments"] = [{"id": 0, "filename": image}]
    return body


def once(message: Outbox) -> dict:
    """Discord hands back the message already made with this nonce instead of posting it again, so a
    row re-sent after a dispatcher died between Discord's answer and marking it sent is not doubled."""
    return {"nonce": f"tally-{message.id or message.dedupe_key}"[:25], "enforce_nonce": True}


def _problem(status: int, data: dict) -> str:
    code = data.get("code") if isinstance(data, dict) else None
    message = data.get("message", "") if isinstance(data, dict) else str(data)
    return PERMANENT.get(code) or f"http_{status}: {message}"[:200]


class DiscordSender:
    """bot.delivery.Sender for Discord; one per process, it remembers buckets and DM channels."""

    platform = "discord"

    def __init__(self, token: str, blobs: BlobStore, *, api_url: str | None = None,
                 clock: Callable[[], float] = time.monotonic) -> None:
        self.token, self.blobs, self.base = token, blobs, rest_base(api_url)
        self.limits = RateLimits(clock)
        self.dm_channels: dict[str, str] = {}
        self._session: aiohttp.ClientSession | None = None

    async def close(self) -> None:
        if self._session is not None:
            await self._session.close()
            self._session = None

    async def send(self, message: Outbox) -> Delivery:
        channel = await self._channel(message.channel)
        if isinstance(channel, Delivery):
            return channel
        key = message.payload.get("image_key")
        image = await self._image(key)
        name = image_name(key) if image is not None else None
        form = self._form(message_body(message.payload, name) | once(message), name, image)
        answer = await self._call("POST", CHANNEL_MESSAGES, channel, form)
        return answer if isinstance(answer, Delivery) else Delivery(ok=True, external_id=str(answer.get("id", "")))

    async def _channel(self, target: str) -> str | Delivery:
        """The channel id to post in; for "@<user id>" the DM channel, opened once."""
        if not target.startswith("@"):
            return target
        user = target[1:]
        if user not in self.dm_channels:
            answer = await self._call("POST", DM_CHANNELS, "", {"json": {"recipient_id": user}})
            if isinstance(answer, Delivery):
                return answer
            self.dm_channels[user] = str(answer["id"])
        return self.dm_channels[user]

    async def _image(self, key: str | None) -> bytes | None:
        if not key:
            return None
        data = await asyncio.to_thread(self.blobs.get, key)
        if data is None:
            log.warning("screenshot %s is gone; sending the message without it", key)
        return data

    def _form(self, body: dict, name: str | None, image: bytes | None) -> dict:
        if name is None or image is None:
            return {"json": body}
        form = aiohttp.FormData()
        form.add_field("payload_json", json.dumps(body), content_type="application/json")
        form.add_field("files[0]", image, filename=name, content_type="image/png")
        return {"data": form}

    def _http(self) -> aiohttp.ClientSession:
        if self._session is None:
            self._session = aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=15), headers={
                "Authorization": f"Bot {self.token}", "User-Agent": "DiscordBot (tally, 0.1)"})
        return self._session

    async def _call(self, method: str, route: str, major: str, body: dict) -> dict | Delivery:
        key = f"{method} {route}"
        wait = self.limits.wait(key, major)
        if wait is not None:
            return Delivery(ok=False, retry_after=wait)
        try:
            async with self._http().request(method, self.base + route.replace("{channel_id}", major), **body) as answer:
                self.limits.learn(key, major, answer.headers)
                data = await answer.json(content_type=None) if answer.content_length != 0 else {}
                return self._judge(key, major, answer, data or {})
        except (aiohttp.ClientError, TimeoutError, ValueError) as error:
            log.warning("Discord %s failed: %s", key, error)
            return Delivery(ok=False, retry_after=SOON)

    def _judge(self, key: str, major: str, answer: aiohttp.ClientResponse, data: dict) -> dict | Delivery:
        if answer.status < 300:
            return data
        if answer.status == 429:
            return Delivery(ok=False, retry_after=self.limits.limited(key, major, answer.headers, data))
        if answer.status >= 500:
            return Delivery(ok=False, retry_after=SOON)
        if answer.status == 401:
            log.error("Discord refused the bot token (401); check DISCORD_TOKEN")
            return Delivery(ok=False, retry_after=TOKEN_TROUBLE)
        return Delivery(ok=False, permanent_error=_problem(answer.status, data))


def discord_sender(ctx: Context, settings: Settings) -> DiscordSender | None:
    """The sender for the outbox dispatcher, when DISCORD_TOKEN is set."""
    if not settings.discord_enabled:
        return None
    return DiscordSender(settings.discord_token, ctx.blobs, api_url=settings.discord_api_url)
