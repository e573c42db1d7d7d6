"""/earnings, /paid and /profile through the real discord.py client and the fake Discord: the
client marks a due week paid, the freelancer is told by direct message, others are refused."""

from bot import jobs
from bot.services import review
from tests.conftest import utc
from tests.discord.conftest import deliver
from tests.discord.fake import CHANNEL_ID, EPHEMERAL
from tests.discord.talk import ALICE, BOB, CAROL

CLOSE = utc(2026, 11, 23, 13)  # after the edit deadline of week 2026-W47
DUE = utc(2026, 12, 2, 1)  # the Wednesday after its review window


async def test_a_due_week_is_marked_paid_once_and_the_freelancer_is_told(discord, fake, ctx, sender, clock):
    """Rule: docs/rules.md#earnings"""
    await discord.slash(ALICE, "contract new", freelancer=BOB, rate=40, title="Docs")
    await discord.slash(BOB, "manual", range="09:00-10:00", memo="fixing the login page")
    [asked] = (await deliver(ctx, sender, fake, clock.now))[-1:]
    await discord.click(ALICE, asked, "Approve")  # an hour of manual time at 40/h
    clock.now = CLOSE
    jobs.week_close(ctx, now=CLOSE)
    review.auto_approve_due(ctx, now=DUE)
    clock.now = DUE
    await deliver(ctx, sender, fake, DUE)

    refused = await discord.slash(BOB, "paid", week="2026-W47")
    assert refused.ephemeral and "Only the client of this contract can mark its weeks paid." in refused.text
    outsider = await discord.slash(CAROL, "paid", week="2026-W47", user=BOB)
    assert "You are not the client of any contract with bob" in outsider.text
    assert await deliver(ctx, sender, fake, DUE) == []

    mine = await discord.slash(BOB, "earnings")
    assert "#1 Docs (client alice): pending 0.00 USD · available 40.00 USD · paid 0.00 USD" in mine.text
    marked = await discord.slash(ALICE, "paid", week="2026-W47")
    assert "Week 2026-W47 of #1 Docs (bob) marked paid: 40.00 USD. bob is told." in marked.text
    [told] = await deliver(ctx, sender, fake, DUE)
    assert "alice marked week 2026-W47 of Docs paid: 40.00 USD." in told["content"] + str(told.get("embeds"))
    again = await discord.slash(ALICE, "paid", week="2026-W47")
    assert "already marked paid" in again.text and await deliver(ctx, sender, fake, DUE) == []

    profile = await discord.slash(CAROL, "profile", user=BOB)
    assert "Profile of bob" in profile.text and "1:00" in profile.text
    assert "USD" not in profile.text and "Docs" not in profile.text and "alice" not in profile.text


async def test_a_mark_made_by_mistake_is_undone_by_its_client_only(discord, fake, ctx, sender, clock):
    """Rule: docs/rules.md#earnings"""
    await discord.slash(ALICE, "contract new", freelancer=BOB, rate=40, title="Docs")
    await discord.slash(BOB, "manual", range="09:00-10:00", memo="fixing the login page")
    [asked] = (await deliver(ctx, sender, fake, clock.now))[-1:]
    await discord.click(ALICE, asked, "Approve")
    clock.now = CLOSE
    jobs.week_close(ctx, now=CLOSE)
    review.auto_approve_due(ctx, now=DUE)
    clock.now = DUE
    await deliver(ctx, sender, fake, DUE)

    marked = await discord.slash(ALICE, "paid", week="2026-W47")
    assert marked.ephemeral and "marked paid: 40.00 USD" in marked.text
    await deliver(ctx, sender, fake, DUE)  # bob is told of the mark
    message = fake._message(CHANNEL_ID, marked.body, flags=EPHEMERAL)  # the reply as Discord keeps it
    refused = await discord.click(BOB, message, "Undo")
    assert "Only the client of a contract can take back its paid marks." in refused.text
    undone = await discord.click(ALICE, message, "Undo")
    assert "is taken back: 40.00 USD is owed again. bob is told." in undone.text
    [told] = await deliver(ctx, sender, fake, DUE)
    assert "alice took back the paid mark of week 2026-W47 of Docs" in told["content"] + str(told.get("embeds"))
    mine = await discord.slash(BOB, "earnings")
    assert "available 40.00 USD · paid 0.00 USD" in mine.text
    again = await discord.click(ALICE, message, "Undo")
    assert "already taken back" in again.text
