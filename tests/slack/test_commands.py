"""The freelancer's and the client's everyday commands from Slack, answered privately."""

from datetime import timedelta
from urllib.parse import urlparse

from sqlmodel import select

from bot.services.links import verify
from storage.tables import Member, WorkSession
from tests.slack.conftest import MONDAY, deliver, hire, work_an_hour
from tests.slack.harness import ALICE, BOB, CAROL, CHANNEL, find_button, text_of


def test_clockin_memo_clockout_with_channel_posts(slack, fake, ctx, clock):
    hire(slack)
    deliver(ctx, fake, clock)

    assert "Clocked in on contract #1 — writing docs." in slack.ask(BOB, "clockin", "writing docs")["text"]
    clock.now += timedelta(minutes=5)
    assert "Memo set: reviewing &amp; fixing" in text_of(slack.ask(BOB, "memo", "reviewing &amp; fixing")["blocks"])
    clock.now += timedelta(minutes=5)
    assert "Clocked out of contract #1: 0:00 counted" in slack.ask(BOB, "clockout")["text"]

    posts = deliver(ctx, fake, clock)
    assert [p["text"] for p in posts] == ["bob clocked in — writing docs", "bob clocked out"]
    assert {p["channel"] for p in posts} == {CHANNEL}
    with ctx.unit() as s:
        assert s.exec(select(WorkSession)).one().memo == "reviewing & fixing"


def test_clock_refusals(slack):
    assert "You have no contract here yet" in slack.ask(BOB, "clockin")["text"]
    hire(slack)
    cases = [
        (BOB, "clockout", "", "You are not clocked in."),
        (BOB, "memo", "", "Say what you are working on"),
        (ALICE, "clockin", "", "Only the freelancer of this contract can clock in"),
    ]
    for user, name, text, expected in cases:
        reply = slack.ask(user, name, text)
        assert expected in reply["text"] and reply["response_type"] == "ephemeral"
    slack.ask(BOB, "clockin")
    assert "already clocked in" in slack.ask(BOB, "clockin")["text"]


def test_diary_shows_cells_and_a_signed_link_for_the_viewer(slack, ctx, clock):
    hire(slack)
    work_an_hour(ctx, MONDAY)
    clock.now = MONDAY + timedelta(hours=2)

    for viewer in (BOB, ALICE):
        reply = slack.ask(viewer, "diary", f"2026-11-16 {BOB.mention}" if viewer is ALICE else "")
        blocks = reply["blocks"]
        assert "Diary of bob" in text_of(blocks)
        assert "```      :00:10:20:30:40:50\\n09:00  7  7  7  7  7  7   API```" in text_of(blocks)
        assert "Counted" in text_of(blocks) and "1:00" in text_of(blocks)
        _, button = find_button(blocks, "Open diary")
        url = urlparse(button["url"])
        assert url.netloc == "tally.test" and url.path.startswith("/diary/")
        grant = verify(ctx.secret_key, url.path.removeprefix("/diary/"), now=clock.now)
        with ctx.unit() as s:
            member = s.get(Member, grant.member_id)
        assert (member.external_id, grant.contract_id, grant.day) == (viewer.id, 1, "2026-11-16")


def test_diary_refusals(slack):
    hire(slack)
    assert '"someday" is neither a day nor a person' in slack.ask(BOB, "diary", "someday")["text"]
    assert "You have no contract here yet" in slack.ask(CAROL, "diary")["text"]


def test_timesheet_as_text_and_as_a_csv_file_by_direct_message(slack, fake, ctx, clock):
    hire(slack)
    work_an_hour(ctx, MONDAY)
    clock.now = MONDAY + timedelta(hours=2)

    sheet = slack.ask(ALICE, "timesheet", "this")
    assert "Timesheet 2026-W47 of bob" in sheet["text"] and "Total: 40.00 USD" in sheet["text"]

    reply = slack.ask(BOB, "timesheet", "2026-W47 csv")
    assert "CSV file in a direct message" in reply["text"]
    [opened] = fake.of("conversations.open")
    assert opened.args["users"] == BOB.id
    [done] = fake.wait("files.completeUploadExternal")
    assert done.args["channel_id"] == f"D{BOB.id}"
    [upload] = fake.wait("upload")
    assert b"2026-W47,1,bob,2026-11-16,1.00,1.00" in upload.args["data"]

    assert '"2026-W99" is not a week' in slack.ask(ALICE, "timesheet", "2026-W99")["text"]
    assert "Name one week" in slack.ask(ALICE, "timesheet", "this last")["text"]


def test_connect_gives_the_pairing_line_to_freelancers_only(slack):
    hire(slack)
    reply = slack.ask(BOB, "connect")
    assert "Your pairing code is" in reply["text"]
    assert "tally-agent pair " in reply["text"] and "--server http://tally.test" in reply["text"]
    assert "Pairing is for freelancers with a contract" in slack.ask(ALICE, "connect")["text"]


def test_bonus_and_its_refusals(slack, fake, ctx, clock):
    hire(slack)
    deliver(ctx, fake, clock)

    assert "Bonus of 50.00 USD recorded on week 2026-W47." in slack.ask(ALICE, "bonus", f"{BOB.mention} 50 weekend fix")["text"]
    [post] = deliver(ctx, fake, clock)
    assert post["text"] == "alice paid bob a bonus of 50.00 USD: weekend fix"

    assert "Name the person and the amount" in slack.ask(ALICE, "bonus", "50")["text"]
    assert "That is not an amount" in slack.ask(ALICE, "bonus", f"{BOB.mention} fifty")["text"]
    assert "Only the client of this contract can pay a bonus" in slack.ask(BOB, "bonus", f"{ALICE.mention} 50")["text"]


def test_tally_help_and_summary_channel(slack):
    assert "/manual HH:MM-HH:MM [DATE] MEMO" in slack.ask(CAROL, "tally")["text"]
    assert "Only a workspace admin" in slack.ask(CAROL, "tally", "summary-channel")["text"]
    hire(slack)
    assert "Weekly summaries of every contract will be posted in C0SUMMARY" in slack.ask(ALICE, "tally", "summary-channel", channel="C0SUMMARY")["text"]
    assert "Use /tally help or /tally summary-channel." in slack.ask(ALICE, "tally", "dance")["text"]
