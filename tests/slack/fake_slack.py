"""A stand-in for Slack on 127.0.0.1: the Web API methods Tally calls, file uploads, response_url
posts and a Socket Mode WebSocket. It records every call so tests can assert what Slack received."""

import asyncio
import json
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from itertools import count

from aiohttp import web

BOT_USER = "UTALLYBOT"
TEAM = "T1"
ALL_SCOPES = ("commands", "chat:write", "chat:write.public", "im:write", "files:write", "users:read")


@dataclass
class Call:
    method: str  # a Web API method, "response_url", "upload" or "socket_ack"
    args: dict
    path: str = ""
    headers: dict = field(default_factory=dict)


@dataclass
class Failure:
    status: int
    body: dict | str
    headers: dict = field(default_factory=dict)
ADMINS = ("UALICE",)  # alice, the client of the tests' stories, administers the workspace


def _answers(fake: "FakeSlack") -> dict:
    return {
        "auth.test": lambda a: {"user_id": BOT_USER, "bot_id": "BTALLY", "team_id": TEAM, "team": "Acme", "user": "tally", "url": "https://acme.slack.com/"},
        "chat.postMessage": fake._posted,
        "chat.update": fake._updated,
        "chat.postEphemeral": lambda a: {"message_ts": fake.next_ts()},
        "views.open": lambda a: {"view": {"id": "V1"}},
        "views.update": lambda a: {"view": {"id": "V1"}},
        "views.publish": lambda a: {"view": {"id": "VHOME"}},
        "users.info": lambda a: {"user": {"id": a.get("user"), "name": fake.names.get(a.get("user"), str(a.get("user")).lower()),
                                          "is_admin": a.get("user") in fake.admins, "is_owner": False}},
        "conversations.open": lambda a: {"channel": {"id": "D" + str(a.get("users"))}},
        "files.getUploadURLExternal": fake._upload_url,
        "files.completeUploadExternal": lambda a: {"files": [{"id": f["id"], "title": f.get("title")} for f in _json(a.get("files"))]},
        "apps.connections.open": lambda a: {"url": f"ws://127.0.0.1:{fake.port}/socket"},
    }


def _json(value):
    return json.loads(value) if isinstance(value, str) else value or []


class FakeSlack:
    def __init__(self) -> None:
        self.calls: list[Call] = []
        self.changed = threading.Condition()
        self.failures: dict[str, list[Failure]] = {}
        self.messages: dict[str, dict] = {}  # ts -> the message as Slack would now show it
        self.names: dict[str, str] = {}
        self.admins: set[str] = set(ADMINS)  # the workspace's admins, as users.info reports them
        self._ts, self._files = count(1), count(1)
        self.envelopes: asyncio.Queue | None = None
        self.port = 0
        self.scopes = ALL_SCOPES  # what auth.test says the token may do, in its x-oauth-scopes header
        # Posts that match are held, unanswered, until `release`, then fail without being posted:
        # a sender killed meanwhile left a request in flight that never reached Slack.
        self.holding: Callable[[dict], bool] | None = None
        self.released = threading.Event()

    # -- running ---------------------------------------------------------------------------------

    def start(self) -> None:
        ready = threading.Event()
        self.thread = threading.Thread(target=self._run, args=(ready,), daemon=True)
        self.thread.start()
        ready.wait(10)

    def _run(self, ready: threading.Event) -> None:
        self.loop = asyncio.new_event_loop()
        self.envelopes = asyncio.Queue()
        app = web.Application()
        app.router.add_route("*", "/api/{method}", self._api)
        app.router.add_post("/upload/{file_id}", self._upload)
        app.router.add_post("/response/{key}", self._response_url)
        app.router.add_get("/socket", self._socket)
        self.runner = web.AppRunner(app)
        self.loop.run_until_complete(self.runner.setup())
        site = web.TCPSite(self.runner, "127.0.0.1", 0)
        self.loop.run_until_complete(site.start())
        self.port = site._server.sockets[0].getsockname()[1]
        ready.set()
        self.loop.run_forever()

    def stop(self) -> None:
        asyncio.run_coroutine_threadsafe(self.runner.cleanup(), self.loop).result(10)
        self.loop.call_soon_threadsafe(self.loop.stop)
        self.thread.join(10)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def api_url(self) -> str:
        return f"{self.url}/api/"

    def response_url(self, key: str) -> str:
        return f"{self.url}/response/{key}"

    def reset(self) -> None:
        with self.changed:
            self.calls.clear()
            self.failures.clear()
            self.messages.clear()
            self.scopes = ALL_SCOPES
            self.admins = set(ADMINS)
            self.holding = None
            self.released.clear()

    # -- what tests ask --------------------------------------------------------------------------

    def fail(self, method: str, status: int, body: dict | str, headers: dict | None = None) -> None:
        """The next call of `method` gets this answer instead of the usual one."""
        self.failures.setdefault(method, []).append(Failure(status, body, headers or {}))

    def hold(self, matching: Callable[[dict], bool]) -> None:
        """The next post matching is held until `release` (see `holding`)."""
        self.released.clear()
        self.holding = matching

    def release(self) -> None:
        self.released.set()

    def of(self, method: str, path: str | None = None) -> list[Call]:
        with self.changed:
            return [c for c in self.calls if c.method == method and (path is None or c.path == path)]

    def wait(self, method: str, *, path: str | None = None, count: int = 1, timeout: float = 10) -> list[Call]:
        """The first `count` calls of `method` (to `path`), waiting for Slack's side to receive them."""
        with self.changed:
            self.changed.wait_for(lambda: len(self._matching(method, path)) >= count, timeout)
            found = self._matching(method, path)
        assert len(found) >= count, f"expected {count} {method} call(s), got {len(found)}: {[c.method for c in self.calls]}"
        return found[:count]

    def _matching(self, method: str, path: str | None) -> list[Call]:
        return [c for c in self.calls if c.method == method and (path is None or c.path == path)]

    def send_envelope(self, envelope: dict) -> None:
        """A Socket Mode envelope, pushed to whichever client is connected."""
        self.loop.call_soon_threadsafe(self.envelopes.put_nowait, envelope)

    def next_ts(self) -> str:
        return f"1700000000.{next(self._ts):06d}"

    # -- the HTTP side ---------------------------------------------------------------------------

    def _record(self, call: Call) -> None:
        with self.changed:
            self.calls.append(call)
            self.changed.notify_all()

    async def _api(self, request: web.Request) -> web.Response:
        method = request.match_info["method"]
        args = dict(request.query)
        if request.content_type == "application/json":
            args.update(await request.json())
        elif request.can_read_body:
            args.update(await request.post())
        if method == "chat.postMessage" and self.holding is not None and self.holding(args):
            self.holding = None
            self._record(Call("held", args))
            while not self.released.is_set():
                await asyncio.sleep(0.05)
            return web.json_response({"ok": False, "error": "internal_error"}, status=500)
        self._record(Call(method, args, headers={"authorization": request.headers.get("Authorization", "")}))
        queued = self.failures.get(method)
        if queued:
            failure = queued.pop(0)
            if isinstance(failure.body, str):
                return web.Response(status=failure.status, text=failure.body, headers=failure.headers)
            return web.json_response(failure.body, status=failure.status, headers=failure.headers)
        answer = _answers(self).get(method, lambda a: {})(args)
        return web.json_response({"ok": True, **answer}, headers={"x-oauth-scopes": ",".join(self.scopes)})

    def _posted(self, args: dict) -> dict:
        channel = str(args.get("channel"))
        channel = "D" + channel if channel.startswith("U") else channel  # a user id: their DM with the app
        ts = self.next_ts()
        self.messages[ts] = {"ts": ts, "channel": channel, "text": args.get("text"), "blocks": _json(args.get("blocks"))}
        return {"channel": channel, "ts": ts, "message": self.messages[ts]}

    def _updated(self, args: dict) -> dict:
        ts = str(args.get("ts"))
        self.messages[ts] = {**self.messages.get(ts, {}), "ts": ts, "text": args.get("text"), "blocks": _json(args.get("blocks"))}
        return {"channel": args.get("channel"), "ts": ts}

    def _upload_url(self, args: dict) -> dict:
        file_id = f"F{next(self._files)}"
        return {"upload_url": f"{self.url}/upload/{file_id}", "file_id": file_id}

    async def _upload(self, request: web.Request) -> web.Response:
        data = await request.read()
        self._record(Call("upload", {"size": len(data), "data": data}, path=request.match_info["file_id"]))
        return web.Response(text=f"OK - {len(data)}", content_type="text/plain")

    async def _response_url(self, request: web.Request) -> web.Response:
        self._record(Call("response_url", await request.json(), path=request.match_info["key"]))
        return web.Response(text="ok", content_type="text/plain")

    async def _socket(self, request: web.Request) -> web.WebSocketResponse:
        ws = web.WebSocketResponse()
        await ws.prepare(request)
        await ws.send_json({"type": "hello", "num_connections": 1, "connection_info": {"app_id": "A1"}})
        pushing = asyncio.ensure_future(self._push(ws))
        async for message in ws:
            self._record(Call("socket_ack", json.loads(message.data)))
        pushing.cancel()
        return ws

    async def _push(self, ws: web.WebSocketResponse) -> None:
        while True:
            await ws.send_json(await self.envelopes.get())
