"""Every app command through the real discord.py client and the fake Discord: typed options in,
a private answer out, channel posts through the outbox."""

import csv
import io
from datetime import timedelta

import pytest

from tests.discord.conftest import deliver, run_bot
from tests.discord.fake import CHANNEL_ID, OTHER_CHANNEL_ID
from tests.discord.talk import ALICE, BOB, CAROL, Discord


@pytest.fixture
async def hired(discord: Discord):
    """alice hires bob in the channel at 40/h; bob is clocked in."""
    await discord.slash(ALICE, "contract new", freelancer=BOB, rate=40, title="Docs")
    await discord.slash(BOB, "clockin", memo="writing docs")
    return discord


# who, command, options, what the private answer says, whether it is a refusal (plain text, no embed)
COMMANDS = [
    (BOB, "clockin", {}, "You are already clocked in on Docs", True),
    (BOB, "memo", {"text": "code review"}, "Memo set: code review", False),
    (BOB, "clockout", {}, "Clocked out of Docs: 0:00 counted", False),
    (CAROL, "clockout", {}, "You are not clocked in", True),
    (BOB, "diary", {}, "Diary of bob — Docs — Wed 2026-11-18 (UTC)", False),
    (ALICE, "diary", {"date": "yesterday", "user": BOB}, "Diary of bob — Docs — Tue 2026-11-17", False),
    (BOB, "diary", {"date": "someday"}, '"someday" is not a day', True),
    (CAROL, "diary", {}, "You have no contract here yet", True),
    (ALICE, "timesheet", {}, "Timesheet 2026-W47 of bob — Docs (UTC)", False),
    (BOB, "timesheet", {"week": "2026-W46"}, "Timesheet 2026-W46 of bob", False),
    (BOB, "timesheet", {"week": "next"}, "Or say this or last", True),
    (BOB, "manual", {"range": "09:00-10:00", "memo": "fixing the login page"}, "Asked the client to approve Wed 2026-11-18 09:00–10:00", False),
    (BOB, "manual", {"range": "9 to 10", "memo": "x"}, "is not a time range", True),
    (ALICE, "manual", {"range": "09:00-10:00", "memo": "x"}, "Only the freelancer of this contract can ask for manual time", True),
    (BOB, "connect", {}, "--server http://tally.test", False),
    (CAROL, "connect", {}, "Pairing is for freelancers with a contract", True),
    (ALICE, "bonus", {"user": BOB, "amount": "50", "note": "weekend fix"}, "Bonus of 50.00 USD recorded on week 2026-W47", False),
    (ALICE, "bonus", {"user": BOB, "amount": "-5"}, "An amount can't be negative", True),
    (BOB, "bonus", {"user": ALICE, "amount": "5"}, "Only the client of this contract can pay a bonus", True),
    (ALICE, "contract show", {}, "Contract #1: #1 Docs", False),
    (ALICE, "contract pause", {}, "Contract paused", False),
    (BOB, "contract pause", {}, "Only the client of this contract can change its settings", True),
    (ALICE, "contract resume", {}, "Contract #1 is active; it cannot be resumed", True),
    (ALICE, "contract end", {}, "Contract ended", False),
    (ALICE, "contract rate", {"rate": "45.50"}, "Hourly rate changed from this week on", False),
    (ALICE, "contract limit", {"limit": "30"}, "Weekly limit changed from next week on", False),
    (ALICE, "contract limit", {"limit": "0"}, "Weekly limit: no limit", False),
    (ALICE, "contract set", {"screenshots": "blur", "idle": 15, "tz": "Europe/Berlin"}, "Screenshots: blur", False),
    (ALICE, "contract set", {"tz": "Mars/Olympus"}, "Mars/Olympus", True),
    (ALICE, "contract set", {}, "Say what to change", True),
    (ALICE, "contract new", {"freelancer": CAROL}, "Name the freelancer and the rate", True),
    (ALICE, "contract new", {"freelancer": ALICE, "rate": 10}, "You cannot hire yourself", True),
    (ALICE, "tally summary-channel", {}, f"Weekly summaries of every contract will be posted in {CHANNEL_ID}", False),
    (BOB, "tally summary-channel", {}, "Only a workspace admin can choose the summary channel", True),
    (CAROL, "tally help", {}, "/clockin [memo] — start tracking", False),
    (BOB, "earnings", {}, "Earnings of bob", False),
    (CAROL, "earnings", {"user": BOB}, "You have no contract with bob", True),
    (BOB, "paid", {"week": "2026-W47"}, "Only the client of this contract can mark its weeks paid", True),
    (ALICE, "paid", {"week": "2026-W47"}, "Week 2026-W47 of #1 Docs (bob) is not closed yet", True),
    (CAROL, "profile", {"user": BOB}, "Profile of bob", False),
]


@pytest.mark.parametrize(("who", "path", "options", "says", "refused"), COMMANDS,
                         ids=[f"{c[0].name}-{c[1]}-{i}" for i, c in enumerate(COMMANDS)])
async def test_each_command_answers_privately(hired, who, path, options, says, refused):
    reply = await hired.slash(who, path, **options)
    assert reply.type == 4 and reply.ephemeral
    assert says in reply.text
    assert (not reply.body.get("embeds")) == refused


async def test_a_new_contract_is_announced_in_its_channel_and_clocking_in_too(discord, fake, ctx, sender, clock):
    await discord.slash(ALICE, "contract new", freelancer=BOB, rate=40, limit=0, manual=False, screenshots="blur",
                        billing="minutes", tz="Europe/Berlin", idle=5, weekly=200, currency="eur", title="Site")
    shown = await discord.slash(ALICE, "contract show")
    assert all(f in shown.text for f in ("Hourly rate: 40.00 EUR/h", "Weekly limit: no limit", "Screenshots: blur",
                                          "Billing: minutes", "Manual time: off", "Idle time-out: 5 min",
                                          "Timezone: Europe/Berlin", "Weekly payment: 200.00 EUR", f"Channel: <#{CHANNEL_ID}>"))
    await discord.slash(BOB, "clockin", memo="header")
    posts = await deliver(ctx, sender, fake, clock.now)
    assert [(p["channel_id"], p["embeds"][0]["description"]) for p in posts] == [
        (CHANNEL_ID, "alice started a contract with bob: 40.00 EUR/h."), (CHANNEL_ID, "bob clocked in — header")]


async def test_contract_new_without_options_opens_a_form(discord):
    form = await discord.slash(ALICE, "contract new")
    assert form.type == 9 and form.data["title"] == "New contract"
    assert [row["component"]["custom_id"] for row in form.data["components"]] == ["freelancer", "rate", "currency", "limit", "title"]
    created = await discord.submit(ALICE, form, {"freelancer": BOB, "rate": "35", "limit": "20", "title": "Landing page"})
    assert created.ephemeral and "Contract created: #1 Landing page" in created.text
    assert "Hourly rate: 35.00 USD/h" in created.text and "Weekly limit: 20 h/week" in created.text


async def test_a_form_with_a_bad_rate_is_refused_privately(discord):
    form = await discord.slash(ALICE, "contract new")
    refused = await discord.submit(ALICE, form, {"freelancer": BOB, "rate": "forty"})
    assert refused.ephemeral and not refused.body.get("embeds") and "That is not an amount" in refused.text


async def test_the_timesheet_as_csv_comes_as_a_file(hired):
    reply = await hired.slash(ALICE, "timesheet", csv=True)
    (name, data), = reply.files.items()
    assert name == "timesheet-2026-W47-contract-1.csv"
    rows = list(csv.reader(io.StringIO(data.decode())))
    assert rows[0][:4] == ["week", "contract", "freelancer", "day"] and rows[1][:4] == ["2026-W47", "1", "bob", "2026-11-16"]


async def test_with_contracts_in_two_channels_the_contract_option_picks_one(hired, clock):
    await hired.slash(ALICE, "contract new", channel=OTHER_CHANNEL_ID, freelancer=BOB, rate=50, title="Ops")
    asked = await hired.slash(BOB, "diary", channel=OTHER_CHANNEL_ID)
    assert "Diary of bob — Ops" in asked.text
    choices = await hired.autocomplete(BOB, "diary", "contract", "", channel=OTHER_CHANNEL_ID)
    assert [c["name"] for c in choices] == ["#2 Ops — with alice", "#1 Docs — with alice"]  # this channel's first
    picked = await hired.slash(BOB, "timesheet", contract=2)
    assert "Timesheet 2026-W47 of bob — Ops" in picked.text


async def test_the_timezone_option_suggests_zones(discord):
    choices = await discord.autocomplete(ALICE, "contract new", "tz", "berl", freelancer=BOB)
    assert [c["value"] for c in choices] == ["Europe/Berlin"]
    assert len(await discord.autocomplete(ALICE, "contract new", "tz", "america/")) == 25


async def test_a_slow_answer_is_deferred_then_followed_up(ctx, fake, clock):
    bot, task = await run_bot(ctx, fake, clock, reply_budget=0)
    try:
        people = Discord(fake)
        reply = await people.slash(ALICE, "contract new", freelancer=BOB, rate=40)
        assert reply.type == 5 and reply.ephemeral
        assert "Contract created" in reply.text and reply.body["flags"] & 64
    finally:
        await bot.close()
        await task


async def test_clocking_in_on_a_paused_contract_is_refused(hired, clock):
    await hired.slash(ALICE, "contract pause")
    clock.now += timedelta(minutes=5)
    refused = await hired.slash(BOB, "clockin")
    assert refused.ephemeral and "Docs is paused" in refused.text


async def test_the_contract_form_submitted_after_a_restart_creates_the_contract(running, ctx, fake, clock):
    form = await Discord(fake).slash(ALICE, "contract new")
    await running.close()
    restarted, task = await run_bot(ctx, fake, clock)
    try:
        created = await Discord(fake).submit(ALICE, form, {"freelancer": BOB, "rate": "35", "title": "Landing page"})
        assert created.ephemeral and "Contract created: #1 Landing page" in created.text and "Freelancer: bob" in created.text
    finally:
        await restarted.close()
        await task
