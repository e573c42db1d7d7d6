"""On Discord, the summary channel is chosen by members with Manage Server only, and a move is
announced in the channel the summary leaves."""

from sqlmodel import select

from storage.tables import Workspace
from tests.discord.conftest import deliver
from tests.discord.fake import CHANNEL_ID, OTHER_CHANNEL_ID
from tests.discord.talk import ALICE, BOB


async def test_only_manage_server_sets_or_moves_the_summary_channel(discord, ctx, sender, fake, clock):
    await discord.slash(ALICE, "contract new", freelancer=BOB, rate=40)
    refused = await discord.slash(BOB, "tally summary-channel")
    assert refused.ephemeral and "Only a workspace admin" in refused.text
    assert "will be posted in" in (await discord.slash(ALICE, "tally summary-channel")).text
    moved = await discord.slash(ALICE, "tally summary-channel", channel=OTHER_CHANNEL_ID)
    assert f"will be posted in {OTHER_CHANNEL_ID}" in moved.text
    with ctx.unit() as s:
        assert [w.summary_channel for w in s.exec(select(Workspace))] == [OTHER_CHANNEL_ID]
    posts = await deliver(ctx, sender, fake, clock.now)
    assert (CHANNEL_ID, f"alice moved the weekly summary from this channel to {OTHER_CHANNEL_ID}.") in [
        (p["channel_id"], p["embeds"][0]["description"]) for p in posts]
