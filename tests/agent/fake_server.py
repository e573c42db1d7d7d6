"""A stand-in for the agent API on a real socket, until the real server exists
(docs/architecture.md#names-other-programs-rely-on).

It answers with diary.protocol's models and checks every body the agent sends against them,
keeps the raw bytes it received (so tests can search them), and can be stopped and started
again on the same port to play a server that goes down.
"""

import json
import sys
import threading
import time
from dataclasses import dataclass, field
from datetime import UTC, datetime
from email.parser import BytesParser
from email.policy import HTTP
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, unquote, urlsplit

from diary.protocol import (
    AgentEvent,
    AgentState,
    ContractBrief,
    EventResult,
    PairRequest,
    PairResponse,
    SlotAccepted,
    SlotReport,
)
from diary.terms import Screenshots, Webcam

TOKEN = "device-token-123"
CODE = "PAIR-1234"


@dataclass
class Received:
    report: SlotReport
    screenshot: bytes | None
    webcam: bytes | None = None


@dataclass
class FakeApi:
    """The server's state; the HTTP handler below only translates."""

    slot_seconds: int = 600
    tracking: bool = False
    session_id: int = 0
    memo: str | None = None
    screenshots: Screenshots = Screenshots.ON
    idle_minutes: int = 10
    window: bool = False
    slots: dict[tuple[int, datetime], Received] = field(default_factory=dict)
    slot_posts: int = 0
    slot_sizes: list[tuple[int, bool]] = field(default_factory=list)  # each upload's bytes, with a screenshot?
    events: list[AgentEvent] = field(default_factory=list)
    event_refusal: tuple[int, dict] | None = None  # the answer to every event while set: a "no"
    bodies: list[bytes] = field(default_factory=list)
    fail_slots_with: int | None = None  # answer every slot upload with this status
    deleted: list[datetime] = field(default_factory=list)  # slot starts deleted from the tracker window
    week: dict | None = None  # the `week` of the state, when set
    private: bool = False
    revoked: bool = False  # the device's token was revoked: every request is answered 401
    requests: int = 0  # every request made with a token, answered or refused
    webcam: Webcam = Webcam.OFF  # the contract's term as the state says it (consent is the agent's own)
    version: int = 0
    polling: int = 0  # long polls waiting now: a change made while one waits is seen at once
    changed: threading.Condition = field(default_factory=threading.Condition)

    def clock_in(self, memo: str | None = None, **settings: object) -> int:
        with self.changed:
            self.tracking, self.session_id, self.memo = True, self.session_id + 1, memo
            for name, value in settings.items():
                setattr(self, name, value)
            self._bump()
            return self.session_id

    def set_private(self, on: bool) -> None:
        with self.changed:
            self.private = on
            self._bump()

    def clock_out(self) -> None:
        with self.changed:
            self.tracking = False
            self._bump()

    def state(self) -> AgentState:
        return AgentState(
            tracking=self.tracking, session_id=self.session_id if self.tracking else None,
            contract=ContractBrief(id=1, title="Website rebuild") if self.tracking else None, memo=self.memo,
            screenshots=self.screenshots, idle_minutes=self.idle_minutes, slot_seconds=self.slot_seconds,
            server_time=datetime.now(UTC), window=self.window, week=self.week if self.tracking else None,
            private=self.private, webcam=self.webcam,
            contracts=[ContractBrief(id=1, title="Website rebuild")],
            diary_url="https://tally.example/diary/signed" if self.tracking else None,
        )  # fmt: skip

    def delete_slot(self, start: datetime, session_id: int) -> tuple[int, dict]:
        if self.slots.pop((session_id, start), None) is None:
            return 404, {"error": "not_found", "detail": "There is no such slot in your diary."}
        self.deleted.append(start)
        return 200, {"ok": True, "message": "Deleted the slot: its screenshot and its time are gone."}

    def wait_for_change(self, seen: int, seconds: float) -> None:
        with self.changed:
            self.polling += 1
            try:
                self.changed.wait_for(lambda: self.version != seen, timeout=seconds)
            finally:
                self.polling -= 1

    def take_slot(self, report: SlotReport, screenshot: bytes | None, webcam: bytes | None = None) -> tuple[int, dict]:
        self.slot_posts += 1
        if self.fail_slots_with:
            return self.fail_slots_with, {"error": "unavailable", "detail": "told to fail"}
        key = (report.session_id, report.slot_start)
        known = self.slots.get(key)
        if known and known.report != report:
            return 409, {"error": "conflict", "detail": "a different slot for this start"}
        self.slots.setdefault(key, Received(report, screenshot, webcam))
        counted = sum(1 for m in report.minutes if m is not None)
        body = SlotAccepted(
            id=len(self.slots), slot_start=report.slot_start, counted_minutes=counted, duplicate=bool(known)
        )
        return 200, body.model_dump(mode="json")

    def take_event(self, event: AgentEvent) -> dict:
        self.events.append(event)
        if event.kind in ("private_on", "private_off"):
            self.set_private(event.kind == "private_on")
        elif event.kind == "local_clockin":
            self.clock_in(event.memo)
        elif event.kind in ("capabilities", "webcam_consent"):
            pass  # what the agent can do, or the consent it was given, changes nothing of a session
        else:
            self.clock_out()
        return EventResult(ok=True, message=f"{event.kind} recorded", session_id=self.session_id).model_dump(
            mode="json"
        )

    def _bump(self) -> None:
        self.version += 1
        self.changed.notify_all()


class _Handler(BaseHTTPRequestHandler):
    api: FakeApi

    def log_message(self, *_: object) -> None:  # keep test output clean
        pass

    def do_GET(self) -> None:
        url = urlsplit(self.path)
        if not self._authorized():
            return None
        if url.path != "/api/v1/agent/state":
            return self._send(404, {"error": "not_found", "detail": url.path})
        wait = float(parse_qs(url.query).get("wait", ["0"])[0])
        if wait > 0:
            self.api.wait_for_change(self.api.version, wait)
        self._send(200, self.api.state().model_dump(mode="json"))

    def do_DELETE(self) -> None:
        url = urlsplit(self.path)
        prefix = "/api/v1/agent/slots/"
        if not self._authorized():
            return None
        if not url.path.startswith(prefix):
            return self._send(404, {"error": "not_found", "detail": url.path})
        start = datetime.fromisoformat(unquote(url.path[len(prefix):]))
        session_id = int(parse_qs(url.query)["session_id"][0])
        self._send(*self.api.delete_slot(start, session_id))

    def do_POST(self) -> None:
        body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
        self.api.bodies.append(body)
        path = urlsplit(self.path).path
        if path == "/api/v1/agent/pair":
            return self._pair(PairRequest.model_validate_json(body))
        if not self._authorized():
            return None
        if path == "/api/v1/agent/slots":
            meta, shot, webcam = _multipart(self.headers.get("Content-Type", ""), body)
            self.api.slot_sizes.append((len(body), shot is not None))
            return self._send(*self.api.take_slot(SlotReport.model_validate_json(meta), shot, webcam))
        if path == "/api/v1/agent/events":
            if self.api.event_refusal:
                return self._send(*self.api.event_refusal)
            return self._send(200, self.api.take_event(AgentEvent.model_validate_json(body)))
        self._send(404, {"error": "not_found", "detail": path})

    def _pair(self, request: PairRequest) -> None:
        if request.code != CODE:
            return self._send(404, {"error": "unknown_code", "detail": "this pairing code is unknown or expired"})
        reply = PairResponse(
            device_id=7, token=TOKEN, slot_seconds=self.api.slot_seconds, server_time=datetime.now(UTC)
        )
        self._send(200, reply.model_dump(mode="json"))

    def _authorized(self) -> bool:
        self.api.requests += 1
        if self.api.revoked:
            self._send(401, {"error": "revoked", "detail": "This device was revoked."})
            return False
        if self.headers.get("Authorization") == f"Bearer {TOKEN}":
            return True
        self._send(401, {"error": "unauthorized", "detail": "unknown device token"})
        return False

    def _send(self, status: int, body: dict) -> None:
        data = json.dumps(body).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)


def _multipart(content_type: str, body: bytes) -> tuple[bytes, bytes | None, bytes | None]:
    message = BytesParser(policy=HTTP).parsebytes(f"Content-Type: {content_type}\r\n\r\n".encode() + body)
    parts = {
        part.get_param("name", header="content-disposition"): part.get_payload(decode=True)
        for part in message.iter_parts()
    }
    return parts["meta"], parts.get("screenshot"), parts.get("webcam")


class _Server(ThreadingHTTPServer):
    daemon_threads = True

    def handle_error(self, request: object, client_address: object) -> None:
        if not isinstance(sys.exc_info()[1], ConnectionError):  # an agent killed mid-request is expected
            super().handle_error(request, client_address)


class FakeServer:
    """FakeApi behind a threaded HTTP server on 127.0.0.1; stop() and start() keep the port."""

    def __init__(self, api: FakeApi | None = None) -> None:
        self.api = api or FakeApi()
        self.port = 0
        self._httpd: _Server | None = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self) -> "FakeServer":
        handler = type("Handler", (_Handler,), {"api": self.api})
        self._httpd = _Server(("127.0.0.1", self.port), handler)
        self.port = self._httpd.server_address[1]
        threading.Thread(target=self._httpd.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True).start()
        return self

    def stop(self) -> None:
        if self._httpd:
            self._httpd.shutdown()
            self._httpd.server_close()
            self._httpd = None
            with self.api.changed:  # release long-polls so their connections close now
                self.api._bump()

    def wait_until(self, condition, seconds: float = 20.0) -> bool:
        deadline = time.monotonic() + seconds
        while time.monotonic() < deadline:
            if condition():
                return True
            time.sleep(0.05)
        return condition()
