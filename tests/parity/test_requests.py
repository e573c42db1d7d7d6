"""Every request spelled back as text is the command that makes it again: what a question
suggests works when pasted, and keeps everything that was typed (a rate, a memo, a person)."""

from datetime import time
from decimal import Decimal

import pytest

from bot import commands
from bot import requests as rq
from bot.services.actors import UserRef
from bot.shell import mention
from diary.refusal import Refusal, then
from diary.terms import ContractStatus

BOB = UserRef("bob", "bob")
NINE_TO_TEN = rq.Span(time(9), time(10))

REQUESTS = [
    rq.ClockIn("writing the docs", 2), rq.ClockOut(), rq.SetMemo("code review"),
    rq.ShowDiary("yesterday", BOB, 3), rq.ShowTimesheet("2026-W47", BOB, True, 1), rq.ShowApps("last", BOB, 2),
    rq.AskManual(NINE_TO_TEN, "2026-11-20", "fixing the login page", 2),
    rq.AskManual(rq.Span(time(23), time(0)), None, "late", None),
    rq.NewContract(BOB, {"rate": Decimal("40.00"), "title": "Landing page", "tz": "Europe/Berlin", "limit": None,
                         "manual": False, "min": Decimal("10")}),
    rq.ShowContract(BOB, 4), rq.SetStatus(ContractStatus.ACTIVE, None, 2), rq.SetStatus(ContractStatus.ENDED, BOB, None),
    rq.SetRate(Decimal("50.25"), None, 2), rq.SetLimit(Decimal("30"), None, 2), rq.SetLimit(None, None, 1),
    rq.SetTerms({"screenshots": "blur", "idle": 15, "window": True, "weekly": Decimal("500.00")}, None, 2), rq.Connect(),
    rq.PayBonus(BOB, Decimal("50.00"), "thanks for the weekend fix", 2),
    rq.SetSummaryChannel(), rq.ShowHelp(), rq.ApproveWeek("2026-W47", None, 2),
    rq.DecideManual(4, approve=True), rq.DecideManual(4, approve=False),
    rq.DisputeHours(NINE_TO_TEN, "2026-11-18", "no work in the screenshots", None, 2),
    rq.DisputeStep("answer", 3, "the staging server"), rq.DisputeStep("confirm", 3),
    rq.DeleteSlot("14:20", "yesterday", 2), rq.ListDevices(), rq.RevokeDevice(3),
    rq.ShowEarnings(BOB), rq.ShowEarnings(), rq.MarkPaid("2026-W47", BOB, 2), rq.MarkPaid("last"), rq.UndoPaid(4),
    rq.ShowProfile(BOB),
    rq.ShowProfile(),
]


@pytest.mark.parametrize("request_", REQUESTS, ids=lambda r: type(r).__name__)
def test_a_request_spelled_as_text_parses_back_to_itself(request_):
    line = rq.text_line(request_, lambda user: f"@{user.name}")
    name, _, text = line[1:].partition(" ")
    assert commands.parse(name, text, mention) == request_, line


def test_the_contract_chosen_is_added_and_nothing_typed_is_dropped():
    typed = commands.parse("contract", "rate 50", mention)
    assert rq.text_line(rq.with_contract(typed, 2), str) == "/contract rate 50.00 contract=2"
    resumed = commands.parse("contract", "resume", mention)
    assert rq.text_line(rq.with_contract(resumed, 2), str) == "/contract resume contract=2"
    assert rq.option_line(rq.with_contract(typed, 2), str) == "/contract rate rate:50.00 contract:2"


def test_money_typed_keeps_its_cents_on_every_road():
    assert commands.parse("bonus", "@bob 19.99 thanks", mention) == rq.PayBonus(BOB, Decimal("19.99"), "thanks")
    assert isinstance(commands.parse("contract", "rate 0.1.2", mention), Refusal)


def test_then_passes_a_refusal_through_and_a_value_on():
    no = Refusal("no")
    assert then(no, lambda value: value + 1) is no
    assert then(1, lambda value: value + 1) == 2


FREE_TEXT = [  # (command, typed, the request): words with "=" or "@" are part of a memo, a note or a reason
    ("memo", "fix timeout=30 in the importer", rq.SetMemo("fix timeout=30 in the importer")),
    ("clockin", "pairing with @carol on a=b", rq.ClockIn("pairing with @carol on a=b", None)),
    ("clockin", "retry=3 contract=2", rq.ClockIn("retry=3", 2)),
    ("manual", "09:00-10:00 2026-11-20 call with @carol about size=XL contract=2",
     rq.AskManual(NINE_TO_TEN, "2026-11-20", "call with @carol about size=XL", 2)),
    ("bonus", "@bob 50 for fixing max_len=0", rq.PayBonus(BOB, Decimal("50"), "for fixing max_len=0")),
    ("dispute", "09:00-10:00 2026-11-18 only x=1 in the logs @bob",
     rq.DisputeHours(NINE_TO_TEN, "2026-11-18", "only x=1 in the logs", BOB, None)),
    ("answer", "3 see ticket id=42 with @carol", rq.DisputeStep("answer", 3, "see ticket id=42 with @carol")),
]


@pytest.mark.parametrize("name, typed, request_", FREE_TEXT, ids=[f[0] for f in FREE_TEXT])
def test_free_text_keeps_every_word_typed(name, typed, request_):
    """A memo like "fix timeout=30" lost its "timeout=30" (read as an option) before."""
    assert commands.parse(name, typed, mention) == request_


@pytest.mark.parametrize("name, typed, says", [
    ("timesheet", "week=2026-W47", '/timesheet takes no "week=": use /timesheet [this|last|2026-W47] [@user] [csv].'),
    ("earnings", "currency=EUR", '/earnings takes no "currency=": use /earnings [@user].'),
    ("contract", "show rate=50", '/contract show takes no "rate=": terms change with /contract set, e.g. /contract set screenshots=blur.'),
    ("approve", "week=2026-W47", '/approve takes no "week=": see /tally help.'),
])
def test_an_option_a_command_takes_nothing_for_is_refused_not_ignored(name, typed, says):
    """/timesheet week=2026-W47 quietly showed this week's timesheet before."""
    assert commands.parse(name, typed, mention) == Refusal(says)


def test_contract_equals_still_picks_the_contract_everywhere():
    assert commands.parse("timesheet", "last contract=2", mention) == rq.ShowTimesheet("last", None, False, 2)
    assert commands.parse("delete", "14:20 contract=#2", mention) == rq.DeleteSlot("14:20", None, 2)
