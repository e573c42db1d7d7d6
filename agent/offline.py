"""Clocking in on this computer while the server cannot be reached (docs/rules.md#offline-clock-in).

The clock-in is queued with its instant and tracking starts at once under a local session id (a
negative number the server never uses). The queue sends in the order things were recorded, so the
clock-in reaches the server before the slots that need its session; the server's answer then
gives those slots the real session id, or holds them here if it refused the clock-in.

Offline, the contract's terms (screenshots, idle, slot length) come from the last state the server
sent, kept in the agent's folder. For a contract whose terms this computer never saw, screenshots
are blurred on the device: the safe choice when nothing says the contract allows them sharp.
"""

from dataclasses import replace
from datetime import datetime

from agent.home import AgentHome, read_json, write_private
from agent.wire import ServerState
from diary.terms import Screenshots

TERMS_FILE = "terms.json"
TERM_FIELDS = ("contract_id", "contract", "screenshots", "idle_minutes", "slot_seconds", "window")


def is_local(session_id: int | None) -> bool:
    return session_id is not None and session_id < 0


def local_id(at: datetime) -> int:
    """Unique on this computer: one clock-in per millisecond at most, and never a server's id."""
    return -int(at.timestamp() * 1000)


def remember_terms(home: AgentHome, state: ServerState) -> None:
    """Keeps the terms of the contract being tracked (and the slot length), for the next offline clock-in."""
    if not state.tracking or state.contract_id is None:
        return
    terms = {name: str(getattr(state, name)) if name == "screenshots" else getattr(state, name) for name in TERM_FIELDS}
    path = home.ensure() / TERMS_FILE
    if read_json(path) != terms:
        write_private(path, terms)


def offline_state(home: AgentHome, last: ServerState | None, contract_id: int | None, session_id: int,
                  memo: str | None) -> ServerState:
    """What to track under while the server cannot say: the contract's last known terms."""
    saved = read_json(home.path / TERMS_FILE) or {}
    base = last or ServerState(tracking=False)
    known = contract_id is None or contract_id == saved.get("contract_id")
    state = replace(
        base, tracking=True, session_id=session_id, memo=memo,
        contract_id=contract_id or saved.get("contract_id"),
        contract=saved.get("contract", "") if known else _title(base, contract_id),
        screenshots=Screenshots(saved["screenshots"]) if known and "screenshots" in saved else Screenshots.BLUR,
        idle_minutes=int(saved.get("idle_minutes", base.idle_minutes)),
        slot_seconds=int(saved.get("slot_seconds", base.slot_seconds)),
        window=bool(saved.get("window", False)) if known else False,
    )  # fmt: skip
    return state


def _title(state: ServerState, contract_id: int | None) -> str:
    return next((title for cid, title in state.contracts if cid == contract_id), "")
