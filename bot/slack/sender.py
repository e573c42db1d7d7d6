"""Sends outbox rows to Slack (bot.delivery.Sender) and says what the dispatcher should do next."""

import asyncio
import logging

import aiohttp
from slack_sdk.errors import SlackApiError
from slack_sdk.web.async_client import AsyncWebClient

from bot.delivery import Delivery
from bot.render.cards import post_card
from bot.slack.blocks import card_blocks, fallback_text
from storage.blobs import BlobStore
from storage.tables import Outbox

log = logging.getLogger("tally.slack")

# Retrying cannot help these: the channel is gone or closed to us, or the message itself is wrong.
PERMANENT = {
    "channel_not_found", "not_in_channel", "is_archived", "user_not_found", "cannot_dm_bot", "user_disabled",
    "msg_too_long", "no_text", "invalid_blocks", "too_many_attachments", "restricted_action",
}
# A token problem an operator can fix: keep the messages and try again much later.
TOKEN_TROUBLE = {"invalid_auth", "not_authed", "token_revoked", "token_expired", "account_inactive", "missing_scope"}
TOKEN_RETRY_SECONDS = 600.0
MAX_BACKOFF_SECONDS = 300.0


def backoff(attempts: int) -> float:
    """The wait after a passing failure: 5 s, 10 s, 20 s, ... up to 5 minutes."""
    return min(MAX_BACKOFF_SECONDS, 5.0 * 2 ** min(attempts, 10))


def failed(error: SlackApiError, attempts: int) -> Delivery:
    status, code = error.response.status_code, _error_code(error)
    if status == 429 or code == "ratelimited":
        return Delivery(ok=False, retry_after=_retry_after(error))
    if status >= 500:
        return Delivery(ok=False, retry_after=backoff(attempts))
    if code in PERMANENT:
        return Delivery(ok=False, permanent_error=code)
    if code in TOKEN_TROUBLE:
        return Delivery(ok=False, retry_after=TOKEN_RETRY_SECONDS)
    return Delivery(ok=False, retry_after=backoff(attempts))


def _error_code(error: SlackApiError) -> str:
    data = error.response.data
    return (data.get("error") if isinstance(data, dict) else None) or "unknown_error"


def _retry_after(error: SlackApiError) -> float:
    try:
        return max(1.0, float(error.response.headers.get("Retry-After", 1)))
    except (TypeError, ValueError):
        return 1.0


class SlackSender:
    platform = "slack"

    def __init__(self, client: AsyncWebClient, blobs: BlobStore) -> None:
        self.client, self.blobs = client, blobs

    async def send(self, message: Outbox) -> Delivery:
        card = post_card(message.payload)
        # "@U123" is a direct message: Slack posts to the app's conversation with that user.
        channel = message.channel.removeprefix("@")
        try:
            posted = await self.client.chat_postMessage(channel=channel, text=fallback_text(card), blocks=card_blocks(card))
        except SlackApiError as error:
            return failed(error, message.attempts)
        except (TimeoutError, aiohttp.ClientError, OSError):
            return Delivery(ok=False, retry_after=backoff(message.attempts))
        # Posted: from here on nothing may turn this into a failure, or the dispatcher would post it again.
        ts = _field(posted, "ts")
        await self._attach_image(message, _field(posted, "channel") or channel, ts)
        return Delivery(ok=True, external_id=ts)

    async def _attach_image(self, message: Outbox, channel: str, ts: str) -> None:
        """The payload's PNG, in the message's thread. The message stands even if this fails:
        sending it again would post it twice."""
        key = message.payload.get("image_key")
        if not key:
            return
        try:
            data = await asyncio.to_thread(self.blobs.get, key)
            if data is not None:
                await self.client.files_upload_v2(channel=channel, thread_ts=ts, file=data, filename=key.rsplit("/", 1)[-1] or "image.png")
        except Exception as error:  # any failure at all: an odd answer from Slack, the blob store, a bug
            log.warning("outbox %s: posted, but its image could not be attached, so it is left out: %r", message.id, error)


def _field(posted, name: str) -> str | None:
    """A field of chat.postMessage's answer, None when the answer is odd (it still means posted)."""
    try:
        value = posted.get(name)
    except Exception:
        return None
    return str(value) if value is not None else None
