"""Slack's side of the conversation: requests exactly as Slack sends them, signed with the secret.

Slash commands are form-encoded with all of Slack's fields; clicks and form submissions are
`payload=` JSON; events are JSON. Each is signed over the exact bytes sent (v0:timestamp:body).
"""

import hashlib
import hmac
import json
import socket
import threading
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime
from urllib.parse import urlencode

import httpx
import uvicorn

from tests.slack.fake_slack import BOT_USER, TEAM, Call, FakeSlack

SECRET = "8f742231b10e8888abcd99yyyzzz85a5"
CHANNEL = "C0CONTRACT"


@dataclass(frozen=True)
class User:
    id: str
    name: str

    @property
    def mention(self) -> str:
        return f"<@{self.id}|{self.name}>"


ALICE, BOB, CAROL = User("UALICE", "alice"), User("UBOB", "bob"), User("UCAROL", "carol")


class Clock:
    """The instant the services see; tests move it, the Slack signatures use the real time."""

    def __init__(self, now: datetime) -> None:
        self.now = now

    def __call__(self) -> datetime:
        return self.now


def signature(body: bytes, timestamp: str, secret: str = SECRET) -> str:
    base = b"v0:" + timestamp.encode() + b":" + body
    return "v0=" + hmac.new(secret.encode(), base, hashlib.sha256).hexdigest()


@dataclass
class Sent:
    http: httpx.Response
    key: str  # the path of this request's response_url on the fake
    seconds: float  # how long the app took to answer


@contextmanager
def serve(app) -> Iterator[str]:
    """The ASGI app under uvicorn on a free port of 127.0.0.1, for as long as the block runs."""
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.bind(("127.0.0.1", 0))
    server = uvicorn.Server(uvicorn.Config(app, log_level="warning", lifespan="on"))
    thread = threading.Thread(target=server.run, kwargs={"sockets": [sock]}, daemon=True)
    thread.start()
    deadline = time.monotonic() + 10
    while not server.started and thread.is_alive() and time.monotonic() < deadline:
        time.sleep(0.01)  # waiting for the server thread to listen, not for the clock
    assert server.started, "uvicorn did not start"
    try:
        yield f"http://127.0.0.1:{sock.getsockname()[1]}"
    finally:
        server.should_exit = True
        thread.join(10)


class SlackSide:
    """Sends to the app what Slack would send, and reads what the fake Web API received."""

    def __init__(self, base_url: str, fake: FakeSlack) -> None:
        self.http = httpx.Client(base_url=base_url, timeout=15)
        self.fake = fake
        self.now = time.time  # Slack signs with its own clock; a test may set it to the server's

    def post(self, body: bytes, content_type: str, *, timestamp: str | None = None, secret: str = SECRET,
             signed: bool = True, tamper: bytes | None = None) -> tuple[httpx.Response, float]:
        timestamp = timestamp or str(int(self.now()))
        headers = {"Content-Type": content_type}
        if signed:
            headers |= {"X-Slack-Request-Timestamp": timestamp, "X-Slack-Signature": signature(body, timestamp, secret)}
        started = time.monotonic()
        answer = self.http.post("/slack/events", content=tamper if tamper is not None else body, headers=headers)
        return answer, time.monotonic() - started

    # -- slash commands --------------------------------------------------------------------------

    def command_body(self, user: User, name: str, text: str, channel: str, key: str) -> bytes:
        return urlencode({
            "token": "legacy-verification-token", "team_id": TEAM, "team_domain": "acme",
            "channel_id": channel, "channel_name": "contract", "user_id": user.id, "user_name": user.name,
            "command": f"/{name}", "text": text, "api_app_id": "A0TALLY", "is_enterprise_install": "false",
            "response_url": self.fake.response_url(key), "trigger_id": f"trigger-{key}",
        }).encode()

    def command(self, user: User, name: str, text: str = "", channel: str = CHANNEL, **how) -> Sent:
        key = uuid.uuid4().hex
        answer, seconds = self.post(self.command_body(user, name, text, channel, key), "application/x-www-form-urlencoded", **how)
        return Sent(answer, key, seconds)

    def reply(self, sent: Sent) -> dict:
        """What the app said back through this request's response_url."""
        return self.fake.wait("response_url", path=sent.key)[0].args

    def ask(self, user: User, name: str, text: str = "", channel: str = CHANNEL) -> dict:
        sent = self.command(user, name, text, channel)
        assert sent.http.status_code == 200, sent.http.text
        return self.reply(sent)

    # -- interactivity ---------------------------------------------------------------------------

    def _payload(self, payload: dict) -> tuple[httpx.Response, float]:
        body = urlencode({"payload": json.dumps(payload)}).encode()
        return self.post(body, "application/x-www-form-urlencoded")

    def click(self, user: User, message: dict, label: str, *, ephemeral: bool = False) -> Sent:
        """Presses the button labelled `label` on a message as Slack shows it now (`ephemeral`: a
        private reply, which the app can change only through the click's response_url)."""
        block, button = find_button(message["blocks"], label)
        key = uuid.uuid4().hex
        payload = {
            "type": "block_actions", "user": _user(user), "api_app_id": "A0TALLY", "token": "legacy-verification-token",
            "container": {"type": "message", "message_ts": message["ts"], "channel_id": message["channel"], "is_ephemeral": ephemeral},
            "trigger_id": f"trigger-{key}", "team": {"id": TEAM, "domain": "acme"}, "enterprise": None,
            "is_enterprise_install": False, "channel": {"id": message["channel"], "name": "contract"},
            "message": {"type": "message", "user": BOT_USER, "bot_id": "BTALLY", "ts": message["ts"], "text": message.get("text"), "blocks": message["blocks"]},
            "state": {"values": {}}, "response_url": self.fake.response_url(key),
            "actions": [{"action_id": button["action_id"], "block_id": block.get("block_id", "b"), "text": button["text"],
                         "value": button.get("value"), "type": "button", "action_ts": f"{time.time():.6f}"}],
        }
        answer, seconds = self._payload(payload)
        return Sent(answer, key, seconds)

    def click_home(self, user: User, view: dict, label: str) -> httpx.Response:
        block, button = find_button(view["blocks"], label)
        payload = {
            "type": "block_actions", "user": _user(user), "api_app_id": "A0TALLY", "token": "legacy-verification-token",
            "container": {"type": "view", "view_id": "VHOME"}, "trigger_id": "trigger-home",
            "team": {"id": TEAM, "domain": "acme"}, "enterprise": None, "is_enterprise_install": False,
            "view": {"id": "VHOME", "type": "home", "blocks": view["blocks"], "private_metadata": "", "callback_id": "", "state": {"values": {}}},
            "actions": [{"action_id": button["action_id"], "block_id": block.get("block_id", "b"), "text": button["text"],
                         "value": button.get("value"), "type": "button", "action_ts": f"{time.time():.6f}"}],
        }
        return self._payload(payload)[0]

    def submit(self, user: User, view: dict, values: dict[str, str]) -> httpx.Response:
        """Submits a modal the app opened, with `values` typed into its inputs (by block_id)."""
        return self._payload(self.submission(user, view, values))[0]

    def post_payload(self, payload: dict) -> httpx.Response:
        """A payload signed and posted as it is (sending the same one twice is a replay)."""
        return self._payload(payload)[0]

    def submission(self, user: User, view: dict, values: dict[str, str]) -> dict:
        """A view_submission payload: each submission has its own trigger_id, as Slack's do."""
        return {
            "type": "view_submission", "team": {"id": TEAM, "domain": "acme"}, "user": _user(user),
            "api_app_id": "A0TALLY", "token": "legacy-verification-token", "trigger_id": f"trigger-{uuid.uuid4().hex[:12]}",
            "view": {"id": "V1", "team_id": TEAM, "type": "modal", "blocks": view["blocks"], "title": view["title"],
                     "private_metadata": view.get("private_metadata", ""), "callback_id": view["callback_id"],
                     "state": {"values": state_values(view["blocks"], values)}, "hash": "1700000000.abc"},
            "response_urls": [], "is_enterprise_install": False, "enterprise": None,
        }

    # -- events ----------------------------------------------------------------------------------

    def home_opened(self, user: User) -> httpx.Response:
        body = json.dumps({
            "token": "legacy-verification-token", "team_id": TEAM, "api_app_id": "A0TALLY", "type": "event_callback",
            "event": {"type": "app_home_opened", "user": user.id, "channel": f"D{user.id}", "tab": "home", "event_ts": f"{time.time():.6f}"},
            "event_id": f"Ev{uuid.uuid4().hex[:10].upper()}", "event_time": int(time.time()),
            "authorizations": [{"enterprise_id": None, "team_id": TEAM, "user_id": BOT_USER, "is_bot": True}],
        }).encode()
        return self.post(body, "application/json")[0]


def _user(user: User) -> dict:
    return {"id": user.id, "username": user.name, "name": user.name, "team_id": TEAM}


def find_button(blocks: list[dict], label: str) -> tuple[dict, dict]:
    for block in blocks:
        for element in block.get("elements", []) if block.get("type") == "actions" else []:
            if element.get("text", {}).get("text") == label:
                return block, element
    raise AssertionError(f"no {label!r} button in {json.dumps(blocks)[:400]}")


def labels(blocks: list[dict]) -> list[str]:
    return [e["text"]["text"] for b in blocks if b.get("type") == "actions" for e in b.get("elements", [])]


def text_of(blocks: list[dict]) -> str:
    """Every piece of text in the blocks, for asserting what a person would read."""
    return json.dumps(blocks, ensure_ascii=False)


def state_values(blocks: list[dict], typed: dict[str, str]) -> dict:
    """The `state.values` Slack sends: every input, with what was typed or its initial value."""
    state = {}
    for block in blocks:
        if block.get("type") != "input":
            continue
        element, field = block["element"], block["block_id"]
        value = typed.get(field, _initial(element))
        state[field] = {element["action_id"]: _state(element["type"], value)}
    return state


def _initial(element: dict):
    return element.get("initial_value") or (element.get("initial_option") or {}).get("value") or element.get("initial_date")


def _state(kind: str, value) -> dict:
    if kind == "static_select":
        return {"type": kind, "selected_option": {"text": {"type": "plain_text", "text": value}, "value": value} if value else None}
    if kind == "users_select":
        return {"type": kind, "selected_user": value}
    if kind == "datepicker":
        return {"type": kind, "selected_date": value}
    return {"type": kind, "value": value}


def view_of(call: Call) -> dict:
    view = call.args["view"]
    return json.loads(view) if isinstance(view, str) else view
