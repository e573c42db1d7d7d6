"""A fake Discord on 127.0.0.1: REST under /api/v10 and a gateway websocket, for the real discord.py.

The gateway says HELLO, answers IDENTIFY with READY and GUILD_CREATE and heartbeats with ACK;
the test dispatches INTERACTION_CREATE. REST records what the bot sends: interaction callbacks,
follow-ups, edits of original responses, channel messages, DM channels and command syncs.
"""

import asyncio
import itertools
import json
from collections.abc import Callable
from dataclasses import dataclass, field

from aiohttp import web

TOKEN = "fake-bot-token"
APP_ID = "900000000000000001"  # the bot user has the application's id, as on Discord
GUILD_ID = "900000000000000002"
CHANNEL_ID = "900000000000000003"
OTHER_CHANNEL_ID = "900000000000000004"
JOINED = "2026-01-01T00:00:00+00:00"
EPHEMERAL = 64


def user_json(user_id: str, name: str, *, bot: bool = False) -> dict:
    return {"id": user_id, "username": name.lower(), "global_name": name, "discriminator": "0", "avatar": None, "bot": bot}


MANAGE_GUILD = 1 << 5  # Discord's "Manage Server" permission bit


def member_json(user: dict, *, admin: bool = False) -> dict:
    permissions = 2248473465835073 | (MANAGE_GUILD if admin else 0)
    return {"user": user, "roles": [], "joined_at": JOINED, "deaf": False, "mute": False, "flags": 0,
            "permissions": str(permissions), "nick": None, "avatar": None}


def channel_json(channel_id: str) -> dict:
    return {"id": channel_id, "type": 0, "guild_id": GUILD_ID, "name": f"c{channel_id[-2:]}", "position": 0,
            "permission_overwrites": [], "nsfw": False, "parent_id": None, "topic": None, "last_message_id": None,
            "rate_limit_per_user": 0, "flags": 0}


def json_answer(data, status: int = 200, headers: dict | None = None) -> web.Response:
    # discord.py parses a body as JSON only when Content-Type is exactly application/json.
    return web.Response(status=status, body=json.dumps(data).encode(),
                        headers={"Content-Type": "application/json", **(headers or {})})


@dataclass
class Reply:
    """How the bot answered one interaction: the callback, and for a deferral what followed it."""

    type: int  # 4 message, 5 deferred message, 6 deferred update, 7 update message, 8 autocomplete, 9 modal
    data: dict
    follow: dict | None = None
    files: dict[str, bytes] = field(default_factory=dict)

    @property
    def body(self) -> dict:
        return self.follow if self.follow is not None else self.data

    @property
    def ephemeral(self) -> bool:
        return bool((self.data.get("flags") or 0) & EPHEMERAL)

    @property
    def text(self) -> str:
        return message_text(self.body)

    @property
    def labels(self) -> list[str]:
        return [b.get("label", "") for b in buttons_of(self.body)]


def message_text(message: dict) -> str:
    """Everything a person reads in a message: content, and each embed's parts."""
    parts = [message.get("content") or ""]
    for embed in message.get("embeds") or []:
        parts += [embed.get("title", ""), embed.get("description", "")]
        parts += [f"{f['name']}: {f['value']}" for f in embed.get("fields", [])]
        parts.append((embed.get("footer") or {}).get("text", ""))
    return "\n".join(p for p in parts if p)


def buttons_of(message: dict) -> list[dict]:
    return [c for row in message.get("components") or [] for c in row.get("components", []) if c.get("type") == 2]


class FakeDiscord:
    def __init__(self) -> None:
        self.bot_user = user_json(APP_ID, "Tally", bot=True)
        self.ids = itertools.count(910000000000000000)
        self.callbacks: dict[str, list[tuple[int, dict, dict]]] = {}
        self.webhook_posts: dict[str, list[dict]] = {}
        self.original_edits: dict[str, list[dict]] = {}
        self.channel_messages: list[dict] = []
        self.nonces: dict[str | None, dict] = {}
        self.uploads: dict[str, dict[str, bytes]] = {}
        self.dm_channels: dict[str, str] = {}
        self.dm_opens = 0
        self.synced: dict[str, list[dict]] = {}
        self.syncs = 0  # command registrations so far: one per bot start
        self.identify: dict | None = None
        self.unknown: list[str] = []
        self.scripted: list[tuple[int, dict, dict]] = []  # answers to the next channel posts
        self.sockets: list[web.WebSocketResponse] = []
        self.sequence = 0
        self.guilds = [{"id": GUILD_ID, "name": "Acme", "icon": None, "owner": False, "permissions": "0", "features": []}]
        self.changed = asyncio.Condition()
        self.app = self._routes()

    # --- serving -------------------------------------------------------------------------
    def _routes(self) -> web.Application:
        app = web.Application(middlewares=[self._authorised])
        app.router.add_get("/gateway", self._gateway)
        api = "/api/v10"
        app.router.add_get(f"{api}/users/@me", self._me)
        app.router.add_get(f"{api}/users/@me/guilds", self._my_guilds)
        app.router.add_get(f"{api}/oauth2/applications/@me", self._application)
        app.router.add_put(f"{api}/applications/{{app}}/guilds/{{guild}}/commands", self._sync)
        app.router.add_post(f"{api}/interactions/{{id}}/{{token}}/callback", self._callback)
        app.router.add_post(f"{api}/webhooks/{{app}}/{{token}}", self._webhook_post)
        app.router.add_patch(f"{api}/webhooks/{{app}}/{{token}}/messages/@original", self._edit_original)
        app.router.add_post(f"{api}/channels/{{channel}}/messages", self._channel_post)
        app.router.add_post(f"{api}/users/@me/channels", self._open_dm)
        app.router.add_route("*", "/{tail:.*}", self._unknown)
        return app

    async def start(self) -> None:
        self.runner = web.AppRunner(self.app)
        await self.runner.setup()
        site = web.TCPSite(self.runner, "127.0.0.1", 0)
        await site.start()
        self.port = site._server.sockets[0].getsockname()[1]

    async def stop(self) -> None:
        for ws in self.sockets:
            await ws.close()
        await self.runner.cleanup()

    @property
    def api_url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def gateway_url(self) -> str:
        return f"ws://127.0.0.1:{self.port}/gateway"

    @web.middleware
    async def _authorised(self, request: web.Request, handler):
        if request.path.startswith("/api/") and "/webhooks/" not in request.path and "/interactions/" not in request.path \
                and request.headers.get("Authorization") != f"Bot {TOKEN}":
            return json_answer({"message": "401: Unauthorized", "code": 0}, 401)
        return await handler(request)

    async def _note(self) -> None:
        async with self.changed:
            self.changed.notify_all()

    async def wait_for(self, found: Callable[[], object], timeout: float = 5.0):
        """Waits until `found()` is truthy (the bot has sent something) and returns it."""
        async with self.changed:
            await asyncio.wait_for(self.changed.wait_for(found), timeout)
        return found()

    # --- REST ----------------------------------------------------------------------------
    async def _me(self, request: web.Request) -> web.Response:
        return json_answer(self.bot_user)

    async def _my_guilds(self, request: web.Request) -> web.Response:
        return json_answer(self.guilds)

    async def _application(self, request: web.Request) -> web.Response:
        return json_answer({"id": APP_ID, "name": "Tally", "description": "", "icon": None, "bot_public": False,
                            "bot_require_code_grant": False, "owner": user_json("900000000000000009", "owner"),
                            "verify_key": "00", "flags": 0, "team": None, "summary": ""})

    async def _sync(self, request: web.Request) -> web.Response:
        commands = await request.json()
        answered = [{**c, "id": str(next(self.ids)), "application_id": APP_ID, "guild_id": request.match_info["guild"],
                     "version": "1", "default_member_permissions": None, "type": c.get("type", 1)} for c in commands]
        self.synced[request.match_info["guild"]] = answered
        self.syncs += 1
        await self._note()
        return json_answer(answered)

    async def _body(self, request: web.Request) -> tuple[dict, dict[str, bytes]]:
        """A JSON body, or multipart with payload_json and files."""
        if not request.content_type.startswith("multipart/"):
            return await request.json(), {}
        body, files = {}, {}
        async for part in await request.multipart():
            if part.name == "payload_json":
                body = json.loads(await part.text())
            else:
                files[part.filename or part.name] = bytes(await part.read())
        return body, files

    def _message(self, channel_id: str, body: dict, *, flags: int = 0) -> dict:
        return {"id": str(next(self.ids)), "channel_id": channel_id, "type": 0, "content": body.get("content") or "",
                "embeds": body.get("embeds") or [], "components": body.get("components") or [],
                "author": self.bot_user, "attachments": [], "timestamp": JOINED, "edited_timestamp": None,
                "tts": False, "mention_everyone": False, "mentions": [], "mention_roles": [], "pinned": False,
                "flags": flags | (body.get("flags") or 0)}

    async def _callback(self, request: web.Request) -> web.Response:
        payload, files = await self._body(request)
        interaction_id, kind = request.match_info["id"], payload["type"]
        data = payload.get("data") or {}
        self.callbacks.setdefault(interaction_id, []).append((kind, data, files))
        await self._note()
        resource = {"type": kind}
        if kind in (4, 7):
            resource["message"] = self._message(CHANNEL_ID, data)
        return json_answer({"interaction": {"id": interaction_id, "type": 2, "response_message_loading": kind == 5,
                                            "response_message_ephemeral": bool((data.get("flags") or 0) & EPHEMERAL)},
                            "resource": resource})

    async def _webhook_post(self, request: web.Request) -> web.Response:
        body, files = await self._body(request)
        self.webhook_posts.setdefault(request.match_info["token"], []).append({**body, "_files": files})
        await self._note()
        return json_answer(self._message(CHANNEL_ID, body))

    async def _edit_original(self, request: web.Request) -> web.Response:
        body, files = await self._body(request)
        self.original_edits.setdefault(request.match_info["token"], []).append({**body, "_files": files})
        await self._note()
        return json_answer(self._message(CHANNEL_ID, body))

    async def _channel_post(self, request: web.Request) -> web.Response:
        body, files = await self._body(request)
        if self.scripted:
            status, answer, headers = self.scripted.pop(0)
            return json_answer(answer, status, headers)
        if body.get("enforce_nonce") and body.get("nonce") in self.nonces:  # Discord's answer to a repeat
            return json_answer(self.nonces[body["nonce"]])
        message = self._message(request.match_info["channel"], body)
        self.nonces[body.get("nonce")] = message
        self.channel_messages.append(message)
        self.uploads[message["id"]] = files
        await self._note()
        return json_answer(message, headers={"X-RateLimit-Bucket": "messages", "X-RateLimit-Limit": "50",
                                             "X-RateLimit-Remaining": "49", "X-RateLimit-Reset-After": "1.0"})

    async def _open_dm(self, request: web.Request) -> web.Response:
        user = (await request.json())["recipient_id"]
        self.dm_opens += 1
        channel = self.dm_channels.setdefault(user, str(next(self.ids)))
        await self._note()
        return json_answer({"id": channel, "type": 1, "recipients": [user_json(user, "someone")]})

    async def _unknown(self, request: web.Request) -> web.Response:
        self.unknown.append(f"{request.method} {request.path}")
        return json_answer({"message": "404: Not Found", "code": 0}, 404)

    # --- gateway -------------------------------------------------------------------------
    async def _gateway(self, request: web.Request) -> web.WebSocketResponse:
        ws = web.WebSocketResponse()
        await ws.prepare(request)
        self.sockets.append(ws)
        await ws.send_json({"op": 10, "d": {"heartbeat_interval": 41250}})
        async for frame in ws:
            message = json.loads(frame.data)
            if message["op"] == 1:
                await ws.send_json({"op": 11})
            elif message["op"] == 2:
                self.identify = message["d"]
                await self._welcome(ws)
        return ws

    async def _welcome(self, ws: web.WebSocketResponse) -> None:
        await self._event(ws, "READY", {
            "v": 10, "user": self.bot_user, "guilds": [{"id": GUILD_ID, "unavailable": True}], "session_id": "fake-session",
            "resume_gateway_url": self.gateway_url, "application": {"id": APP_ID, "flags": 0}, "private_channels": [],
            "relationships": [], "shard": [0, 1]})
        await self._event(ws, "GUILD_CREATE", {
            "id": GUILD_ID, "name": "Team", "owner_id": "900000000000000009", "unavailable": False, "large": False,
            "member_count": 3, "joined_at": JOINED, "features": [], "emojis": [], "stickers": [], "threads": [],
            "roles": [{"id": GUILD_ID, "name": "@everyone", "permissions": "0", "position": 0, "color": 0,
                       "hoist": False, "managed": False, "mentionable": False, "flags": 0}],
            "channels": [channel_json(CHANNEL_ID), channel_json(OTHER_CHANNEL_ID)],
            "members": [member_json(self.bot_user)], "voice_states": [], "presences": [], "stage_instances": [],
            "guild_scheduled_events": [], "premium_tier": 0, "preferred_locale": "en-US", "verification_level": 0,
            "default_message_notifications": 0, "explicit_content_filter": 0, "mfa_level": 0, "nsfw_level": 0,
            "system_channel_flags": 0, "afk_timeout": 300})
        await self._note()

    async def _event(self, ws: web.WebSocketResponse, name: str, data: dict) -> None:
        self.sequence += 1
        await ws.send_json({"op": 0, "t": name, "s": self.sequence, "d": data})

    async def dispatch(self, name: str, data: dict) -> None:
        await self._event(self.sockets[-1], name, data)
