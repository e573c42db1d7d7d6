"""The agent's side of the wire protocol, in plain dictionaries
(docs/architecture.md#names-other-programs-rely-on).

diary.protocol holds the pydantic models both sides agree on. The running agent does not import
them: pydantic alone would add about a third to its memory, and the agent must stay small. The
bodies built here are checked against diary.protocol in tests/agent/test_wire.py, so the two
cannot drift apart unnoticed.
"""

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from diary.terms import DEFAULT_SLOT_SECONDS, Screenshots, Webcam
from diary.text import MAX_MEMO, MAX_WINDOW_TEXT, fit

# The same bounds as diary.protocol: a body past them is refused, and a refused slot is lost.
MAX_EVENTS_PER_MINUTE = 100_000


@dataclass(frozen=True)
class Week:
    """The week so far, in counted minutes, as the server's `week` says (for the tracker window)."""

    tracked: int = 0
    today: int = 0
    limit: int | None = None
    minimum: int | None = None  # the contract's weekly minimum in force, when it has one


@dataclass(frozen=True)
class ServerState:
    """What `GET /api/v1/agent/state` says the agent should be doing."""

    tracking: bool
    session_id: int | None = None
    contract: str = ""
    memo: str | None = None
    screenshots: Screenshots = Screenshots.ON
    idle_minutes: int = 10
    slot_seconds: int = DEFAULT_SLOT_SECONDS
    window: bool = False
    # What the tracker window shows; a server of the first round sends none of them.
    contract_id: int | None = None
    contracts: tuple[tuple[int, str], ...] = ()
    week: Week | None = None
    private: bool = False
    diary_url: str | None = None
    # The server keeps slots that arrive after their week's edit deadline (and long memos): what an
    # older server refused for those reasons is sent again.
    late_slots: bool = False
    webcam: Webcam = Webcam.OFF  # the contract asks for a camera frame per slot (and this device consented: on)

    @classmethod
    def from_json(cls, body: dict[str, Any]) -> "ServerState":
        contract = body.get("contract") or {}
        week = body.get("week")
        return cls(
            tracking=bool(body["tracking"]),
            session_id=body.get("session_id"),
            contract=str(contract.get("title", "")),
            memo=body.get("memo"),
            screenshots=Screenshots(body.get("screenshots", Screenshots.ON)),
            idle_minutes=int(body.get("idle_minutes", 10)),
            slot_seconds=int(body.get("slot_seconds", DEFAULT_SLOT_SECONDS)),
            window=bool(body.get("window", False)),
            contract_id=contract.get("id"),
            contracts=tuple((int(c["id"]), str(c["title"])) for c in body.get("contracts") or ()),
            week=Week(int(week.get("tracked", 0)), int(week.get("today", 0)), week.get("limit"), week.get("minimum"))
            if week else None,
            private=bool(body.get("private", False)),
            diary_url=body.get("diary_url"),
            late_slots=bool(body.get("late_slots", False)),
            webcam=_webcam(body.get("webcam")),
        )


def _webcam(value: Any) -> Webcam:
    """A server from before the webcam sends none; one from after may add values this agent does not know."""
    try:
        return Webcam(value) if value is not None else Webcam.OFF
    except ValueError:
        return Webcam.OFF


@dataclass(frozen=True)
class WindowInfo:
    app: str
    title: str

    def to_json(self) -> dict[str, str]:
        return {"app": fit(self.app, MAX_WINDOW_TEXT), "title": fit(self.title, MAX_WINDOW_TEXT)}


def instant(t: datetime) -> str:
    """An aware instant as ISO 8601; naive ones are a bug, so they fail here rather than on the server."""
    if t.tzinfo is None:
        raise ValueError("instants on the wire must be timezone-aware")
    return t.isoformat()


def event_body(kind: str, at: datetime, memo: str | None = None, **extra: Any) -> dict[str, Any]:
    """The body of `POST /api/v1/agent/events` (diary.protocol.AgentEvent); `extra` fields that are None are left out."""
    body: dict[str, Any] = {"kind": kind, "at": instant(at)}
    if memo and fit(memo, MAX_MEMO):
        body["memo"] = fit(memo, MAX_MEMO)
    body.update({key: value for key, value in extra.items() if value is not None})
    return body


def pair_body(code: str, device_name: str, os_name: str, version: str) -> dict[str, str]:
    """The body of `POST /api/v1/agent/pair` (diary.protocol.PairRequest)."""
    return {"code": code, "device_name": device_name[:100], "os": os_name[:100], "agent_version": version}
