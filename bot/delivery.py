"""What a platform sender tells the outbox dispatcher after trying to send one message."""

from dataclasses import dataclass
from typing import Protocol

from storage.tables import Outbox


@dataclass(frozen=True)
class Delivery:
    ok: bool
    retry_after: float | None = None  # seconds to wait: rate limited, or a passing network/5xx error
    permanent_error: str | None = None  # e.g. channel_not_found, not_in_channel, missing access
    external_id: str | None = None  # the platform's message id (Slack ts, Discord message id)


class Sender(Protocol):
    platform: str

    async def send(self, message: Outbox) -> Delivery: ...
