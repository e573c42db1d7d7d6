"""The outbox sender against the fake Discord's REST: posts, direct messages, images, rate limits, errors."""

from itertools import count

import pytest

from bot.delivery import Delivery
from bot.discord.sender import DiscordSender
from storage.blobs import FolderBlobs
from storage.tables import Outbox
from tests.conftest import utc
from tests.discord.fake import (
    CHANNEL_ID,
    OTHER_CHANNEL_ID,
    TOKEN,
    FakeDiscord,
    buttons_of,
)

NOW = utc(2026, 11, 18, 15)
BUTTONS = [{"label": "Approve", "action": "approve_manual", "value": "7", "url": None},
           {"label": "Decline", "action": "decline_manual", "value": "7", "url": None}]


class Ticks:
    """The sender's monotonic clock, moved by the test."""

    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


KEYS = count(1)


def row(channel: str = CHANNEL_ID, **payload) -> Outbox:
    return Outbox(dedupe_key=f"k{next(KEYS)}", platform="discord", workspace_id=1, channel=channel, kind="clock",
                  payload={"text": "bob clocked in — docs", "buttons": [], **payload}, next_attempt_at=NOW, created_at=NOW)


@pytest.fixture
def ticks() -> Ticks:
    return Ticks()


@pytest.fixture
async def sender(fake, tmp_path, ticks):
    out = DiscordSender(TOKEN, FolderBlobs(tmp_path), api_url=fake.api_url, clock=ticks)
    yield out
    await out.close()


async def test_a_channel_post_is_an_embed_with_buttons_that_carry_action_and_value(sender, fake):
    delivery = await sender.send(row(text="bob asks for manual time", buttons=BUTTONS, title="Manual time"))
    (posted,) = fake.channel_messages
    assert delivery == Delivery(ok=True, external_id=posted["id"])
    assert posted["channel_id"] == CHANNEL_ID and posted["embeds"][0]["title"] == "Manual time"
    assert posted["embeds"][0]["description"] == "bob asks for manual time"
    assert [(b["label"], b["custom_id"]) for b in buttons_of(posted)] == [
        ("Approve", "tally:approve_manual:7"), ("Decline", "tally:decline_manual:7")]


async def test_a_row_sent_again_after_a_crash_is_posted_once(sender, fake):
    """The dispatcher died after Discord answered and before it marked the row sent; its lease ran out."""
    again = row()
    again.id = 41
    first, second = await sender.send(again), await sender.send(again)
    assert len(fake.channel_messages) == 1 and first == second


async def test_a_direct_message_opens_the_dm_channel_once(sender, fake):
    for _ in range(2):
        assert (await sender.send(row(channel="@800000000000000002", text="You went idle"))).ok
    dm = fake.dm_channels["800000000000000002"]
    assert fake.dm_opens == 1 and [m["channel_id"] for m in fake.channel_messages] == [dm, dm]


async def test_an_image_key_attaches_the_png_to_the_embed(sender, fake, tmp_path):
    FolderBlobs(tmp_path).put("charts/1/hours-2026-W47.png", b"\x89PNG fake", "image/png")
    assert (await sender.send(row(image_key="charts/1/hours-2026-W47.png"))).ok
    assert (await sender.send(row(image_key="charts/1/gone.png"))).ok  # a lost picture does not hold the message
    with_image, without = fake.channel_messages
    assert with_image["embeds"][0]["image"] == {"url": "attachment://hours-2026-W47.png"}
    assert fake.uploads[with_image["id"]] == {"hours-2026-W47.png": b"\x89PNG fake"}
    assert "image" not in without["embeds"][0] and fake.uploads[without["id"]] == {}


LIMITED = 429, {"message": "You are being rate limited.", "retry_after": 2.5, "global": False}, {"Retry-After": "3"}
GLOBAL = 429, {"message": "You are being rate limited.", "retry_after": 7.0, "global": True}, {"X-RateLimit-Global": "true"}
EMPTY_BUCKET = 200, {"id": "1", "channel_id": CHANNEL_ID}, {"X-RateLimit-Bucket": "m", "X-RateLimit-Remaining": "0",
                                                            "X-RateLimit-Reset-After": "4.0"}


@pytest.mark.parametrize(("answer", "first", "wait", "other_channel_waits"), [
    (LIMITED, Delivery(ok=False, retry_after=2.5), 2.5, False),
    (GLOBAL, Delivery(ok=False, retry_after=7.0), 7.0, True),
    (EMPTY_BUCKET, Delivery(ok=True, external_id="1"), 4.0, False),
])
async def test_rate_limits_are_waited_out_per_bucket_without_asking_again(sender, fake, ticks, answer, first, wait, other_channel_waits):
    fake.scripted.append(answer)
    assert await sender.send(row()) == first
    ticks.now += 1.0
    assert await sender.send(row()) == Delivery(ok=False, retry_after=wait - 1.0)
    assert (await sender.send(row(channel=OTHER_CHANNEL_ID))).ok != other_channel_waits
    ticks.now += wait
    assert (await sender.send(row())).ok
    assert fake.unknown == []


@pytest.mark.parametrize(("answer", "expected"), [
    ((403, {"message": "Missing Permissions", "code": 50013}, {}), Delivery(ok=False, permanent_error="missing_permissions")),
    ((403, {"message": "Missing Access", "code": 50001}, {}), Delivery(ok=False, permanent_error="missing_access")),
    ((404, {"message": "Unknown Channel", "code": 10003}, {}), Delivery(ok=False, permanent_error="channel_not_found")),
    ((400, {"message": "Invalid Form Body", "code": 50035}, {}), Delivery(ok=False, permanent_error="http_400: Invalid Form Body")),
    ((502, {"message": "Bad Gateway"}, {}), Delivery(ok=False, retry_after=5.0)),
])
async def test_discords_errors_become_permanent_failures_or_retries(sender, fake, answer, expected):
    fake.scripted.append(answer)
    assert await sender.send(row()) == expected


async def test_a_refused_token_keeps_the_message_for_later_and_says_so(fake, tmp_path, caplog):
    wrong = DiscordSender("not-the-token", FolderBlobs(tmp_path), api_url=fake.api_url)
    try:
        assert await wrong.send(row()) == Delivery(ok=False, retry_after=60.0)
    finally:
        await wrong.close()
    assert "check DISCORD_TOKEN" in caplog.text
    caplog.clear()


async def test_an_unreachable_discord_is_retried_soon(tmp_path):
    gone = FakeDiscord()
    await gone.start()
    await gone.stop()
    sender = DiscordSender(TOKEN, FolderBlobs(tmp_path), api_url=gone.api_url)
    try:
        assert await sender.send(row(channel="@800000000000000002")) == Delivery(ok=False, retry_after=5.0)
    finally:
        await sender.close()
