"""/devices on Discord: the freelancer's devices with a Revoke button each, pressed by its owner only."""

from sqlmodel import select

from bot.services import devices
from bot.services.actors import Actor
from diary.protocol import PairRequest
from storage.tables import Device
from tests.discord.fake import CHANNEL_ID, EPHEMERAL, GUILD_ID
from tests.discord.talk import ALICE, BOB, CAROL


async def test_devices_lists_them_and_revoke_revokes_for_the_owner_only(discord, fake, ctx, clock):
    await discord.slash(ALICE, "contract new", freelancer=BOB, rate=40)
    bob = Actor("discord", GUILD_ID, BOB.id, "bob", CHANNEL_ID)
    code = devices.issue_code(ctx, bob, now=clock.now).code
    devices.pair(ctx, PairRequest(code=code, device_name="studio"), now=clock.now)
    listed = await discord.slash(BOB, "devices")
    assert listed.ephemeral and "1. studio" in listed.text
    message = fake._message(CHANNEL_ID, listed.body, flags=EPHEMERAL)  # the reply as Discord keeps it
    refused = await discord.click(CAROL, message, "Revoke")
    assert "not one of your devices" in refused.text
    done = await discord.click(BOB, message, "Revoke")
    assert "studio is revoked" in done.text
    with ctx.unit() as s:
        assert s.exec(select(Device)).one().revoked_at is not None
