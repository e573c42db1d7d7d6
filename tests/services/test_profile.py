"""Hours on the profile: anyone in the workspace sees a person's lifetime and month hours, contracts
and first tracked day, and nothing of any contract's title, client or money."""

from datetime import time, timedelta
from decimal import Decimal

from bot import commands
from bot.render.cards import card_for
from bot.services import contracts, review
from bot.services.actors import UserRef
from bot.services.results import Profile
from bot.services.views import pick_week
from diary.terms import ContractStatus
from tests.conftest import utc
from tests.services.helpers import ALICE, BOB, CAROL, hire, pair_device, person, work

HIRED = utc(2026, 11, 15, 9)
MON = utc(2026, 11, 16, 9)
CLOSE = utc(2026, 11, 23, 12)
TUE = utc(2026, 11, 24, 9)
DEC = utc(2026, 12, 1, 9)


def mention(token: str) -> UserRef | None:
    return UserRef(f"U-{token[1:]}", token[1:]) if token.startswith("@") and len(token) > 1 else None


def profile(ctx, who, line: str, now) -> Profile:
    shown = commands.run(ctx, who, "profile", line, now=now, mention=mention)
    assert isinstance(shown, Profile), shown
    return shown


def test_anyone_in_the_workspace_sees_hours_and_contracts_but_no_amounts(ctx):
    """Rule: docs/rules.md#profile"""
    hire(ctx, HIRED, title="Secret project", rate=Decimal("123.45"))
    work(ctx, pair_device(ctx, BOB, MON), BOB, MON, 12)
    carol = profile(ctx, CAROL, "@bob", TUE)

    assert (carol.name, carol.lifetime_minutes, carol.month_minutes, carol.month) == ("bob", 120, 120, "November 2026")
    assert (carol.active_contracts, carol.ended_contracts, carol.client_contracts) == (1, 0, 0)
    assert carol.first_day == MON.date()
    card = card_for(carol)
    shown = " ".join([card.title, *card.lines, *(f"{k} {v}" for k, v in card.fields), *card.grid, card.footer])
    assert "2:00" in shown and "1 active, 0 ended" in shown and "2026-11-16" in shown
    for secret in ("Secret", "alice", "USD", "123", "246", "screenshot"):
        assert secret not in shown
    assert profile(ctx, ALICE, "", TUE).client_contracts == 1
    assert isinstance(commands.run(ctx, CAROL, "profile", "bob", now=TUE, mention=mention).message, str)  # not a person


def test_closed_weeks_count_as_stored_and_a_removed_dispute_leaves_the_hours(ctx):
    """Rule: docs/rules.md#profile"""
    hire(ctx, HIRED, title="Docs")
    work(ctx, pair_device(ctx, BOB, MON), BOB, MON, 12)
    review.close_week(ctx, 1, pick_week("2026-W47", "UTC", MON), now=CLOSE)
    review.dispute(ctx, ALICE, start=time(10), end=time(11), day="2026-11-16", reason="no work visible", now=TUE)
    review.dispute_action(ctx, BOB, 1, "accept", now=TUE + timedelta(hours=1))
    contracts.change_terms(ctx, ALICE, {"screenshots": "off"}, now=TUE + timedelta(hours=2))
    contracts.set_status(ctx, ALICE, ContractStatus.ENDED, now=TUE + timedelta(hours=3))

    bob = profile(ctx, person("bob", "C-other"), "", DEC)
    assert (bob.lifetime_minutes, bob.month_minutes, bob.month) == (60, 0, "December 2026")
    assert (bob.active_contracts, bob.ended_contracts) == (0, 1)


def test_naming_somebody_tally_never_met_records_nobody(ctx):
    """Only hiring adds a person: a look at a stranger's profile or timesheet leaves no trace of them."""
    from sqlmodel import select

    from storage.tables import Member

    hire(ctx, HIRED)
    empty = profile(ctx, CAROL, "@zoe", TUE)
    assert (empty.name, empty.lifetime_minutes, empty.active_contracts) == ("zoe", 0, 0)
    refused = commands.run(ctx, ALICE, "timesheet", "@zoe", now=TUE, mention=mention)
    assert "zoe" in refused.message
    with ctx.unit() as s:
        assert "zoe" not in [m.name for m in s.exec(select(Member))]
