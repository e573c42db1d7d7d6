"""On Discord: a freelancer whose only agent runs where it cannot track (a Wayland session) is told
why /clockin is refused and how to fix it, and the client's /contract show and /diary say so."""

from datetime import timedelta

from bot.services import agent_events, devices
from bot.services.actors import Actor
from diary.protocol import AgentEvent, PairRequest
from storage.tables import Device
from tests.discord.fake import CHANNEL_ID, GUILD_ID
from tests.discord.talk import ALICE, BOB


def _report(ctx, device_id: int, at, able: bool) -> None:
    """What the agent's `capabilities` event does once the API has read it."""
    event = AgentEvent(kind="capabilities", at=at, screenshots=able, input=able, reason=None if able else "Wayland")
    with ctx.unit() as s:
        device = s.get(Device, device_id)
    agent_events.handle(ctx, device, event, now=at)


async def test_clockin_is_refused_with_the_fix_and_the_client_sees_why(discord, ctx, clock):
    """Rule: docs/rules.md#devices-that-cannot-track"""
    await discord.slash(ALICE, "contract new", freelancer=BOB, rate=40)
    bob = Actor("discord", GUILD_ID, BOB.id, "bob", CHANNEL_ID)
    code = devices.issue_code(ctx, bob, now=clock.now).code
    device_id = devices.pair(ctx, PairRequest(code=code, device_name="desktop"), now=clock.now).device_id
    _report(ctx, device_id, clock.now, able=False)

    refused = await discord.slash(BOB, "clockin", memo="header")
    assert refused.ephemeral and "Your agent cannot track here (Wayland)" in refused.text
    assert "Log in with an X11 session" in refused.text
    assert "Agent cannot track here (Wayland)" in (await discord.slash(ALICE, "contract show")).text
    assert "Agent cannot track here (Wayland)" in (await discord.slash(ALICE, "diary", user=BOB)).text

    clock.now += timedelta(minutes=3)
    _report(ctx, device_id, clock.now, able=True)
    assert "Clocked in" in (await discord.slash(BOB, "clockin", memo="header")).text
    assert "cannot track" not in (await discord.slash(ALICE, "contract show")).text
