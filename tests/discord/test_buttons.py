"""Buttons and forms on the messages the outbox posts: manual time, the weekly review, disputes.

The bot never sees those messages being sent (the sender posts them through REST), so every
click here is on a message the running bot never saw; one test also restarts the bot.
"""


import pytest

from bot import jobs
from tests.conftest import utc
from tests.discord.conftest import deliver, run_bot
from tests.discord.fake import buttons_of, message_text
from tests.discord.talk import ALICE, BOB, CAROL, Discord

REVIEW_OPEN = utc(2026, 11, 23, 13)  # Monday after week 2026-W47, past the edit deadline


@pytest.fixture
async def manual_asked(discord, fake, ctx, sender, clock):
    """alice hires bob; bob asks for an hour of manual time; the request is posted with its buttons."""
    await discord.slash(ALICE, "contract new", freelancer=BOB, rate=40, title="Docs")
    await discord.slash(BOB, "manual", range="09:00-10:00", memo="fixing the login page")
    posts = await deliver(ctx, sender, fake, clock.now)
    return posts[-1]


async def test_the_manual_time_request_is_posted_with_approve_and_decline(manual_asked):
    assert "bob asks for manual time: Wed 2026-11-18 09:00–10:00 (UTC) — fixing the login page" in message_text(manual_asked)
    assert [(b["label"], b["custom_id"]) for b in buttons_of(manual_asked)] == [
        ("Approve", "tally:approve_manual:1"), ("Decline", "tally:decline_manual:1")]


@pytest.mark.parametrize(("who", "label", "says"), [
    (BOB, "Approve", "Only the client of this contract can approve or decline manual time on it."),
    (CAROL, "Decline", "There is no manual time request #1 of yours."),
])
async def test_a_wrong_persons_click_is_refused_privately_and_changes_nothing(discord, manual_asked, who, label, says):
    refused = await discord.click(who, manual_asked, label)
    assert (refused.type, refused.ephemeral, refused.text) == (4, True, says)
    approved = await discord.click(ALICE, manual_asked, "Approve")
    assert approved.type == 7


@pytest.mark.parametrize(("label", "outcome"), [
    ("Approve", "Manual time Wed 2026-11-18 09:00–10:00 (UTC) approved by alice."),
    ("Decline", "Manual time Wed 2026-11-18 09:00–10:00 (UTC) declined by alice."),
])
async def test_the_clients_decision_updates_the_request_in_place(discord, manual_asked, label, outcome):
    updated = await discord.click(ALICE, manual_asked, label)
    assert updated.type == 7 and not updated.ephemeral
    assert f"Outcome: {outcome}" in updated.text and "bob asks for manual time" in updated.text
    assert updated.labels == []
    again = await discord.click(ALICE, manual_asked, label)
    assert again.ephemeral and "That request was already" in again.text


async def test_approved_manual_time_shows_in_the_diary(discord, manual_asked):
    await discord.click(ALICE, manual_asked, "Approve")
    diary = await discord.slash(BOB, "diary")
    assert "09:00  M  M  M  M  M  M   fixing the login page" in diary.text and "Manual: 1:00" in diary.text
    (link,) = buttons_of(diary.body)
    assert link["label"] == "Open diary" and link["url"].startswith("http://tally.test/diary/")


@pytest.fixture
async def review(discord, manual_asked, fake, ctx, sender, clock):
    """The approved hour is in week 2026-W47; on Monday afternoon the week closes and its review is posted."""
    await discord.click(ALICE, manual_asked, "Approve")
    clock.now = REVIEW_OPEN
    jobs.week_close(ctx, now=clock.now)
    posts = await deliver(ctx, sender, fake, clock.now)
    return posts[-1]


async def test_the_weekly_review_is_an_embed_with_its_chart_and_approve_dispute_open_diary(review, fake):
    embed = review["embeds"][0]
    assert embed["title"] == "Week 2026-W47 of bob — Docs" and "Total 40.00 USD" in embed["description"]
    assert embed["image"] == {"url": "attachment://hours-2026-W47.png"}
    assert fake.uploads[review["id"]]["hours-2026-W47.png"].startswith(b"\x89PNG")
    assert [b["custom_id"] for b in buttons_of(review)] == [
        "tally:approve_week:1:2026-W47", "tally:dispute_week:1:2026-W47", "tally:open_diary:1:2026-W47"]


async def test_approve_marks_the_week_and_leaves_only_the_diary_button(discord, review):
    refused = await discord.click(BOB, review, "Approve")
    assert refused.ephemeral and "Only the client of this contract can approve its hours." in refused.text
    approved = await discord.click(ALICE, review, "Approve")
    assert approved.type == 7 and "Outcome: Week 2026-W47 approved by alice." in approved.text
    assert approved.labels == ["Open diary"]
    sheet = await discord.slash(ALICE, "timesheet", week="last")
    assert "Review: approved" in sheet.text


async def test_open_diary_gives_a_private_signed_link(discord, review):
    link = await discord.click(BOB, review, "Open diary")
    assert link.type == 4 and link.ephemeral and "Your diary link, for you only" in link.text
    (button,) = buttons_of(link.body)
    assert button["style"] == 5 and button["url"].startswith("http://tally.test/diary/")
    refused = await discord.click(CAROL, review, "Open diary")
    assert refused.ephemeral and "Only the client and the freelancer" in refused.text


async def test_dispute_answer_and_confirm_through_forms(discord, review, fake, ctx, sender, clock):
    assert "Only the client of this contract can dispute its hours." in (await discord.click(BOB, review, "Dispute")).text
    form = await discord.click(ALICE, review, "Dispute")
    assert form.type == 9 and [r["component"]["custom_id"] for r in form.data["components"]] == ["range", "day", "reason"]
    opened = await discord.submit(ALICE, form, {"range": "09:00-09:30", "day": "2026-11-18", "reason": "no screenshots"},
                                  message=review)
    assert opened.type == 7 and "Dispute #1 opened by alice; the freelancer can accept it or answer." in opened.text
    assert opened.labels == ["Approve", "Dispute", "Open diary"]  # a disputed week can still be approved

    (dispute,) = await deliver(ctx, sender, fake, clock.now)
    assert "alice disputes Wed 2026-11-18 09:00–09:30 (UTC) of week 2026-W47: no screenshots" in message_text(dispute)
    assert "Only the freelancer of this contract can accept or answer" in (await discord.click(ALICE, dispute, "Answer")).text
    answer_form = await discord.click(BOB, dispute, "Answer")
    answered = await discord.submit(BOB, answer_form, {"answer": "the screenshots are of the staging server"}, message=dispute)
    assert answered.type == 7 and "Dispute #1 answered by bob." in answered.text and answered.labels == []

    (answer,) = await deliver(ctx, sender, fake, clock.now)
    assert [b["label"] for b in buttons_of(answer)] == ["Withdraw", "Confirm"]
    assert (await discord.click(BOB, answer, "Confirm")).ephemeral
    confirmed = await discord.click(ALICE, answer, "Confirm")
    assert confirmed.type == 7 and "Dispute #1 confirmed by alice." in confirmed.text
    sheet = await discord.slash(ALICE, "timesheet", week="last")
    assert "Review: approved" in sheet.text and "0:30" in sheet.text


async def test_an_empty_dispute_form_is_refused_and_the_message_stays(discord, review):
    form = await discord.click(ALICE, review, "Dispute")
    refused = await discord.submit(ALICE, form, {"range": "morning", "reason": "x"}, message=review)
    assert refused.type == 4 and refused.ephemeral and '"morning" is not a time range' in refused.text


async def test_the_reminder_in_a_direct_message_has_buttons_that_work_there(discord, review, fake, ctx, sender, clock):
    clock.now = utc(2026, 11, 26, 10)  # Thursday of the review window
    jobs.JOBS["review-reminder"](ctx, now=clock.now)
    (reminder,) = await deliver(ctx, sender, fake, clock.now)
    assert reminder["channel_id"] == fake.dm_channels[ALICE.id]
    assert "Week 2026-W47 of bob (Docs) is waiting for your review" in message_text(reminder)
    form = await discord.click(ALICE, reminder, "Dispute")
    disputed = await discord.submit(ALICE, form, {"range": "09:00-09:10", "day": "wed", "reason": "idle"}, message=reminder)
    assert disputed.type == 7 and "Dispute #1 opened" in disputed.text
    assert "alice disputes Wed 2026-11-18 09:00–09:10 (UTC)" in message_text((await deliver(ctx, sender, fake, clock.now))[0])
    approved = await discord.click(ALICE, reminder, "Approve")
    assert approved.type == 7 and "Week 2026-W47 approved by alice." in approved.text


async def test_a_button_works_on_a_message_posted_before_a_restart(running, review, ctx, fake, clock):
    await running.close()  # the process stops; a new one starts, then a click comes in
    restarted, task = await run_bot(ctx, fake, clock)
    try:
        approved = await Discord(fake).click(ALICE, review, "Approve")
        assert approved.type == 7 and "approved by alice" in approved.text
    finally:
        await restarted.close()
        await task


async def test_a_slow_click_is_deferred_and_the_message_edited_after(running, manual_asked, ctx, fake, clock):
    await running.close()
    slow, task = await run_bot(ctx, fake, clock, reply_budget=0)
    try:
        people = Discord(fake)
        refused = await people.click(BOB, manual_asked, "Approve")
        assert refused.type == 6 and refused.body["flags"] & 64 and "Only the client" in refused.text
        approved = await people.click(ALICE, manual_asked, "Approve")
        assert approved.type == 6 and "Outcome: Manual time" in approved.text and approved.body["components"] == []
    finally:
        await slow.close()
        await task


async def test_the_workspace_summary_is_posted_with_its_chart_as_the_review_is(discord, manual_asked, fake, ctx, sender, clock):
    await discord.slash(ALICE, "tally summary-channel")
    await discord.click(ALICE, manual_asked, "Approve")
    clock.now = REVIEW_OPEN
    jobs.week_close(ctx, now=clock.now)
    _, summary = await deliver(ctx, sender, fake, clock.now)
    assert summary["embeds"][0]["title"] == "Weekly summary 2026-W47"
    assert summary["embeds"][0]["image"] == {"url": "attachment://summary-2026-W47.png"}
    assert fake.uploads[summary["id"]]["summary-2026-W47.png"].startswith(b"\x89PNG")


async def test_a_form_opened_before_a_restart_is_answered_after_it(running, review, ctx, fake, clock):
    form = await Discord(fake).click(ALICE, review, "Dispute")
    await running.close()  # the form stays open on alice's screen while the bot restarts
    restarted, task = await run_bot(ctx, fake, clock)
    try:
        people = Discord(fake)
        values = {"range": "09:00-09:30", "day": "2026-11-18", "reason": "no screenshots"}
        forged = await people.submit(BOB, form, values, message=review)  # the same form, sent by someone else
        assert forged.ephemeral and "Only the client of this contract can dispute its hours." in forged.text
        opened = await people.submit(ALICE, form, values, message=review)
        assert opened.type == 7 and "Dispute #1 opened by alice" in opened.text
    finally:
        await restarted.close()
        await task
