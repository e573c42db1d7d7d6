"""The outbox's Slack sender: what Slack receives, and what the dispatcher is told after a failure."""

from datetime import UTC, datetime

import pytest

from bot.delivery import Delivery
from bot.settings import Settings
from bot.slack.app import web_client
from bot.slack.sender import SlackSender
from storage.blobs import FolderBlobs
from storage.tables import Outbox
from tests.slack.conftest import slack_settings
from tests.slack.harness import labels

NOW = datetime(2026, 11, 23, 12, 0, tzinfo=UTC)
REVIEW = {"text": "Week 2026-W47 of bob: 1:00 counted", "contract_id": 1, "week": "2026-W47", "buttons": [
    {"label": "Approve", "action": "approve_week", "value": "1:2026-W47", "url": None},
    {"label": "Dispute", "action": "dispute_week", "value": "1:2026-W47", "url": None},
]}


def row(channel: str = "C0CONTRACT", attempts: int = 0, **payload) -> Outbox:
    return Outbox(id=7, dedupe_key="review:1:2026-W47", platform="slack", workspace_id=1, channel=channel, kind="review",
                  payload={**REVIEW, **payload}, attempts=attempts, next_attempt_at=NOW, created_at=NOW)


@pytest.fixture
def sender(fake, tmp_path) -> SlackSender:
    return SlackSender(web_client(slack_settings(fake)), FolderBlobs(tmp_path))


async def test_a_channel_post_has_blocks_buttons_and_a_fallback_text(sender, fake):
    delivery = await sender.send(row())

    [call] = fake.of("chat.postMessage")
    assert call.headers["authorization"] == "Bearer xoxb-test-token"
    assert call.args["channel"] == "C0CONTRACT"
    assert call.args["text"] == "Week 2026-W47 of bob: 1:00 counted"
    assert labels(call.args["blocks"]) == ["Approve", "Dispute"]
    assert delivery == Delivery(ok=True, external_id=fake.messages[delivery.external_id]["ts"])


async def test_a_direct_message_goes_to_the_user(sender, fake):
    delivery = await sender.send(row(channel="@UBOB", buttons=[]))

    assert delivery.ok
    assert fake.of("chat.postMessage")[0].args["channel"] == "UBOB"


@pytest.mark.parametrize("status, body, headers, attempts, expected", [
    (429, {"ok": False, "error": "ratelimited"}, {"Retry-After": "30"}, 0, Delivery(ok=False, retry_after=30.0)),
    (200, {"ok": False, "error": "channel_not_found"}, {}, 0, Delivery(ok=False, permanent_error="channel_not_found")),
    (200, {"ok": False, "error": "not_in_channel"}, {}, 0, Delivery(ok=False, permanent_error="not_in_channel")),
    (200, {"ok": False, "error": "is_archived"}, {}, 0, Delivery(ok=False, permanent_error="is_archived")),
    (500, "upstream exploded", {}, 0, Delivery(ok=False, retry_after=5.0)),
    (503, {"ok": False, "error": "service_unavailable"}, {}, 3, Delivery(ok=False, retry_after=40.0)),
    (200, {"ok": False, "error": "invalid_auth"}, {}, 0, Delivery(ok=False, retry_after=600.0)),
], ids=["rate-limited", "channel-not-found", "not-in-channel", "archived", "500", "503-backoff", "bad-token"])
async def test_failures_tell_the_dispatcher_what_to_do(sender, fake, status, body, headers, attempts, expected):
    fake.fail("chat.postMessage", status, body, headers)

    assert await sender.send(row(attempts=attempts)) == expected


async def test_a_network_failure_is_retried_later(tmp_path):
    unreachable = Settings(_env_file=None, SLACK_BOT_TOKEN="xoxb-test-token", SLACK_SIGNING_SECRET="s", SLACK_API_URL="http://127.0.0.1:9/api/")
    sender = SlackSender(web_client(unreachable), FolderBlobs(tmp_path))

    assert await sender.send(row()) == Delivery(ok=False, retry_after=5.0)


async def test_an_image_is_uploaded_into_the_message_thread(sender, fake, tmp_path):
    png = b"\x89PNG\r\n\x1a\n" + b"pixels" * 50
    FolderBlobs(tmp_path).put("1/2026/11/16/090500-shot.png", png, "image/png")

    delivery = await sender.send(row(buttons=[], image_key="1/2026/11/16/090500-shot.png"))

    assert delivery.ok
    [upload] = fake.of("upload")
    assert upload.args["data"] == png
    [done] = fake.of("files.completeUploadExternal")
    assert done.args["channel_id"] == "C0CONTRACT" and done.args["thread_ts"] == delivery.external_id


async def test_a_failed_image_upload_does_not_post_the_message_twice(sender, fake, tmp_path):
    FolderBlobs(tmp_path).put("shot.png", b"\x89PNG-data", "image/png")
    fake.fail("files.getUploadURLExternal", 200, {"ok": False, "error": "not_allowed_token_type"})

    delivery = await sender.send(row(image_key="shot.png"))

    assert delivery.ok
    assert len(fake.of("chat.postMessage")) == 1 and fake.of("upload") == []


class _BrokenBlobs(FolderBlobs):
    def get(self, key: str) -> bytes | None:
        raise RuntimeError("the blob store fell over")


@pytest.mark.parametrize("method, status, body", [
    ("files.getUploadURLExternal", 200, {"ok": True}),  # no upload_url: the client raises a KeyError
    ("files.getUploadURLExternal", 200, "<html>gateway</html>"),  # not JSON at all
    ("files.completeUploadExternal", 200, {"ok": True, "files": "odd"}),
    ("files.completeUploadExternal", 502, "bad gateway"),
], ids=["no-upload-url", "html-answer", "odd-files", "502"])
async def test_any_odd_upload_answer_leaves_the_message_standing_once(sender, fake, tmp_path, method, status, body):
    FolderBlobs(tmp_path).put("shot.png", b"\x89PNG-data", "image/png")
    fake.fail(method, status, body)

    delivery = await sender.send(row(image_key="shot.png"))

    assert delivery.ok and delivery.external_id in fake.messages
    assert len(fake.of("chat.postMessage")) == 1


async def test_a_blob_store_failure_after_posting_leaves_the_message_standing(fake, tmp_path):
    sender = SlackSender(web_client(slack_settings(fake)), _BrokenBlobs(tmp_path))

    delivery = await sender.send(row(image_key="shot.png"))

    assert delivery.ok and len(fake.of("chat.postMessage")) == 1


async def test_an_odd_post_answer_still_counts_as_posted(sender, fake):
    fake.fail("chat.postMessage", 200, {"ok": True})  # no ts, no channel

    delivery = await sender.send(row(image_key="shot.png"))

    assert delivery.ok and len(fake.of("chat.postMessage")) == 1
