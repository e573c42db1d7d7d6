"""Pairing codes, device tokens and what a device's agent should be doing right now."""

import hashlib
import secrets
from collections.abc import Iterable
from datetime import datetime, timedelta

from sqlmodel import Session

from bot.services import tracker_state, webcam
from bot.services.actors import Actor, resolve
from bot.services.context import Context
from bot.services.context import state_changed
from bot.services.results import DeviceLine, DeviceList, Done, PairingIssued
from diary.protocol import AgentState, ContractBrief, PairRequest, PairResponse
from diary.refusal import Refusal
from diary.terms import Webcam
from storage import repo
from storage import devices as stored
from storage.devices import DeviceRow
from storage.engine import Connection
from storage.tables import Contract, Device, PairingCode, WorkSession

CODE_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"  # no 0/O, 1/I: read aloud and typed by hand
CODE_LENGTH = 8
CODE_LIFETIME = timedelta(minutes=10)
# "Last seen" to the minute is plenty, and spares every upload a write of the device row.
SEEN_PRECISION = timedelta(minutes=1)
UNKNOWN_TOKEN = Refusal("This device token is unknown or was revoked; pair the device again with /connect in chat.",
                        "unauthorized")
# A revoked device may deliver the slots and events it recorded before its revocation (an agent
# that was offline still empties its queue: no recorded work is lost), and nothing else.
REVOKED = Refusal("This device was revoked, so it records and sends nothing new (what it recorded before is "
                  "still delivered). To use it again: /connect in chat, then tally-agent pair CODE --server URL.",
                  "revoked")
BAD_CODE = Refusal("That pairing code is unknown or already used. Get a new one with /connect in chat.", "not_found")


def digest(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


def normalize_code(code: str) -> str:
    return "".join(ch for ch in code.upper() if ch.isalnum())


def _new_code() -> str:
    raw = "".join(secrets.choice(CODE_ALPHABET) for _ in range(CODE_LENGTH))
    return f"{raw[:4]}-{raw[4:]}"


def issue_code(ctx: Context, actor: Actor, *, now: datetime) -> PairingIssued | Refusal:
    with ctx.unit() as s:
        _, me = resolve(s, actor)
        if not any(c.freelancer_id == me.id for c in repo.live_contracts_of(s, member_id=me.id)):
            return Refusal("Pairing is for freelancers with a contract; a client starts one with /contract new @you rate=40.", "forbidden")
        code = _new_code()
        s.add(PairingCode(code_hash=digest(normalize_code(code)), member_id=me.id, created_at=now, expires_at=now + CODE_LIFETIME))
        return PairingIssued(code, now + CODE_LIFETIME, f"tally-agent pair {code} --server {ctx.public_url}")


def pair(ctx: Context, request: PairRequest, *, now: datetime) -> PairResponse | Refusal:
    with ctx.unit() as s:
        code = repo.pairing_code(s, code_hash=digest(normalize_code(request.code)))
        if code is None or code.used_at is not None:
            return BAD_CODE
        if code.expires_at <= now:
            return Refusal("That pairing code has expired (codes last 10 minutes). Get a new one with /connect.", "too_late")
        if not stored.claim_code(s, code_id=code.id, now=now):  # another request took it between our read and now
            return BAD_CODE
        token = secrets.token_urlsafe(32)
        device = Device(member_id=code.member_id, name=request.device_name, os=request.os,
                        agent_version=request.agent_version, token_hash=digest(token), created_at=now)
        s.add(device)
        s.flush()
        return PairResponse(device_id=device.id, token=token, slot_seconds=ctx.slot_seconds, server_time=now)


def authenticate_in(conn: Connection, tokens: Iterable[str]) -> dict[str, DeviceRow]:
    """The devices (id, member_id, last_seen_at) of these bearer tokens, by token, read in the
    caller's transaction: unknown and revoked tokens are absent, so a revocation counts from its
    commit on. One query for any number of tokens: the slot ingest checks a group of uploads with it."""
    by_hash = {digest(token): token for token in tokens}
    return {by_hash[key]: row for key, row in stored.devices_by_hash(conn, hashes=list(by_hash)).items()}


def mark_seen(conn: Connection, last_seen: dict[int, datetime | None], *, now: datetime) -> None:
    """Last seen `now`, for those of these devices (id -> last seen) last seen a minute ago or more."""
    stale = [device for device, seen in last_seen.items() if seen is None or now - seen >= SEEN_PRECISION]
    if stale:
        stored.mark_seen(conn, ids=stale, now=now)


def revoked_for(device, recorded_at: datetime | None) -> bool:
    """Whether a (possibly revoked) device is refused something recorded at `recorded_at` (None: a
    request that delivers nothing recorded, such as asking for the state)."""
    revoked_at = device.revoked_at
    return revoked_at is not None and (recorded_at is None or recorded_at >= revoked_at)


def authenticate(ctx: Context, token: str, *, now: datetime) -> Device | None:
    """The device a bearer token belongs to, revoked or not (see revoked_for); None if unknown."""
    with ctx.unit() as s:
        device = repo.device_by_token_hash(s, token_hash=digest(token))
        if device is None:
            return None
        if device.last_seen_at is None or now - device.last_seen_at >= SEEN_PRECISION:
            device.last_seen_at = now
        return device


def revoke(ctx: Context, device_id: int, *, now: datetime) -> None:
    with ctx.unit() as s:
        device = s.get(Device, device_id)
        if device is not None and device.revoked_at is None:
            device.revoked_at = now
            state_changed(s, device.member_id)


def revoke_all(s: Session, member_id: int, *, now: datetime) -> int:
    """Revokes every live device of a member (one workspace's person); how many."""
    live = repo.unrevoked_devices_of(s, member_id=member_id)
    for device in live:
        device.revoked_at = now
    return len(live)


def list_devices(ctx: Context, actor: Actor) -> DeviceList | Refusal:
    """The actor's paired devices, each with a Revoke button."""
    with ctx.unit() as s:
        _, me = resolve(s, actor)
        live = repo.unrevoked_devices_of(s, member_id=me.id)
        if not live:
            return Refusal("No device is paired. /connect gives you a pairing code for the desktop agent.")
        return DeviceList([DeviceLine(d.id, d.name, d.os, d.created_at, d.last_seen_at) for d in live])


def revoke_own(ctx: Context, actor: Actor, device_id: int, *, now: datetime) -> Done | Refusal:
    """The Revoke button of /devices: only the device's own freelancer may press it."""
    with ctx.unit() as s:
        _, me = resolve(s, actor)
        device = repo.by_id(s, Device, device_id)
        if device is None or device.member_id != me.id:
            return Refusal("That is not one of your devices; /devices lists yours.", "forbidden")
        if device.revoked_at is not None:
            return Done(f"{device.name} was already revoked.")
        device.revoked_at = now
        state_changed(s, me.id)
        return Done(f"{device.name} is revoked: it records and sends nothing new. Pair it again with /connect.")


def state(ctx: Context, device: Device, *, now: datetime) -> AgentState:
    with ctx.unit() as s:
        running = repo.open_session(s, freelancer_id=device.member_id)
        private = bool(repo.private_members(s, member_ids=[device.member_id]))
        current = state_in(s, running, ctx.slot_seconds, now, private=private)
        if current.webcam != Webcam.OFF:
            current = current.model_copy(update={"webcam": webcam.for_agent(s, device.id, current.contract.id, now=now)})
        return tracker_state.detailed(s, ctx, device.member_id, running, current, now=now)


def state_in(s: Session, running: WorkSession | None, slot_seconds: int, now: datetime, *,
             private: bool = False) -> AgentState:
    """The agent state for a freelancer whose open session (or None) and private switch the caller has already read."""
    if running is None:
        return AgentState(tracking=False, slot_seconds=slot_seconds, server_time=now, private=private)
    contract = s.get(Contract, running.contract_id)
    return AgentState(
        tracking=True, session_id=running.id,
        contract=ContractBrief(id=contract.id, title=contract.title or f"contract #{contract.id}"),
        memo=running.memo, screenshots=contract.screenshots, idle_minutes=contract.idle_minutes,
        billing=contract.billing, slot_seconds=slot_seconds, server_time=now, window=contract.window, private=private,
        webcam=Webcam.NEEDS_CONSENT if contract.webcam else Webcam.OFF,  # devices.state adds the device's consent
    )
