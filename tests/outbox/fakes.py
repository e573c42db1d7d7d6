"""A fake platform sender and a hand-moved clock for the dispatcher tests."""

import asyncio
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from sqlmodel import select

from bot.delivery import Delivery
from storage import repo
from storage.tables import Outbox

Answer = Delivery | Exception | Callable[[Outbox], Delivery]


@dataclass
class Clock:
    now: datetime

    def __call__(self) -> datetime:
        return self.now

    def advance(self, **delta: float) -> datetime:
        self.now += timedelta(**delta)
        return self.now


@dataclass
class FakeSender:
    """Answers each send with the next scripted answer for its channel (default: delivered)."""

    platform: str = "slack"
    script: dict[str, list[Answer]] = field(default_factory=dict)
    sent: list[tuple[int, str]] = field(default_factory=list)  # (row id, channel) of every delivery
    tries: list[int] = field(default_factory=list)  # row id of every attempt

    async def send(self, message: Outbox) -> Delivery:
        self.tries.append(message.id)
        await asyncio.sleep(0)  # let other sends interleave, as real requests do
        answers = self.script.get(message.channel) or []
        answer = answers.pop(0) if answers else Delivery(ok=True, external_id=f"ts-{message.id}")
        if isinstance(answer, Exception):
            raise answer
        answer = answer(message) if callable(answer) else answer
        if answer.ok:
            self.sent.append((message.id, message.channel))
        return answer


def queue_messages(ctx, now: datetime, *channels: str, platform: str = "slack", workspace: str = "T1") -> list[int]:
    """One outbox row per channel named (repeat a channel for several), in that order."""
    ids = []
    with ctx.unit() as s:
        ws = repo.workspace(s, platform=platform, external_id=workspace)
        for n, channel in enumerate(channels):
            row = Outbox(dedupe_key=f"test:{workspace}:{channel}:{n}:{now.isoformat()}", platform=platform, workspace_id=ws.id,
                         channel=channel, kind="test", payload={"text": f"message {n} to {channel}"},
                         next_attempt_at=now, created_at=now)
            s.add(row)
            s.flush()
            ids.append(row.id)
    return ids


def rows(ctx) -> dict[int, Outbox]:
    with ctx.unit() as s:
        return {row.id: row for row in s.exec(select(Outbox))}
