"""Messages that are not direct replies go through the outbox, in the caller's transaction."""

from datetime import datetime

from sqlmodel import Session

from bot.services.results import Button
from storage import outbox
from storage.tables import Contract, Member, Outbox, Workspace


def message_values(ws: Workspace, channel: str, kind: str, key: str, text: str, buttons, now: datetime, extra) -> dict:
    """An outbox row's columns; jobs that post to many channels insert them in bulk."""
    payload = {"text": text, "buttons": [b.payload() for b in buttons], **(extra or {})}
    return {"dedupe_key": key, "platform": ws.platform, "workspace_id": ws.id, "channel": channel, "kind": kind,
            "payload": payload, "next_attempt_at": now, "created_at": now}


def to_channel(
    s: Session, contract: Contract, *, kind: str, key: str, text: str, now: datetime,
    buttons: tuple[Button, ...] = (), extra: dict | None = None,
) -> bool:
    ws = s.get(Workspace, contract.workspace_id)
    return outbox.add_message(s, Outbox(**message_values(ws, contract.channel_id, kind, key, text, buttons, now, extra)))


def to_workspace_channel(s: Session, ws: Workspace, channel: str, *, kind: str, key: str, text: str, now: datetime) -> bool:
    """A post to a workspace's channel that belongs to no contract (the summary channel's)."""
    return outbox.add_message(s, Outbox(**message_values(ws, channel, kind, key, text, (), now, None)))


def to_member(
    s: Session, member: Member, *, kind: str, key: str, text: str, now: datetime,
    buttons: tuple[Button, ...] = (), extra: dict | None = None,
) -> bool:
    """A direct message: the channel is "@" and the platform's user id."""
    ws = s.get(Workspace, member.workspace_id)
    return outbox.add_message(s, Outbox(**message_values(ws, f"@{member.external_id}", kind, key, text, buttons, now, extra)))
