"""Earnings through the commands as typed (the shell's and Slack's path), on both databases:
pending from the close, available ten days after the week, bonuses five days after they are
given, paid when the client marks it; amounts only from the stored statements."""

import csv
import io
from datetime import time, timedelta
from decimal import Decimal

from bot import buttons, commands
from bot.export import export_week
from bot.render.cards import card_for
from bot.services import contracts, earnings, review, summary
from bot.render.text import card_text
from bot.services.button_refs import ButtonAction
from bot.services.results import Clicked, Done, Earnings
from bot.shell import _button_command
from bot.services.views import pick_week
from bot.services.actors import UserRef
from diary.refusal import Refusal
from diary.terms import ContractStatus
from storage import earnings as store
from storage import repo
from tests.conftest import utc
from tests.services.helpers import ALICE, BOB, CAROL, hire, outbox, pair_device, person, work

HIRED = utc(2026, 11, 15, 9)  # a Sunday: week 2026-W47 is the contract's first full week
MON = utc(2026, 11, 16, 9)
WED = utc(2026, 11, 18, 9)
CLOSE = utc(2026, 11, 23, 12)  # the edit deadline of 2026-W47
TUE = utc(2026, 11, 24, 9)  # in the review window
DUE = utc(2026, 12, 2, 0)  # ten days after Sunday 2026-11-22: the Wednesday after the review window


def mention(token: str) -> UserRef | None:
    """@bob as the helpers' people are known to the platform (U-bob)."""
    return UserRef(f"U-{token[1:]}", token[1:]) if token.startswith("@") and len(token) > 1 else None


def say(ctx, who, line: str, now):
    name, _, text = line[1:].partition(" ")
    return commands.run(ctx, who, name, text, now=now, mention=mention)


def two_hours_and_a_bonus(ctx):
    hire(ctx, HIRED, title="Docs")
    work(ctx, pair_device(ctx, BOB, MON), BOB, MON, 12)  # 2:00 at 40/h = 80.00
    assert isinstance(say(ctx, ALICE, "/bonus @bob 50 thanks", WED), Done)
    review.close_week(ctx, 1, pick_week("2026-W47", "UTC", MON), now=CLOSE)


def mine(ctx, who, now, other=None):
    shown = earnings.show(ctx, who, now=now, other=other)
    assert isinstance(shown, Earnings), shown
    return shown


def test_pending_from_the_close_available_ten_days_after_the_week_and_paid_when_marked(ctx):
    """Rule: docs/rules.md#earnings"""
    two_hours_and_a_bonus(ctx)

    [bob] = mine(ctx, BOB, TUE).earned
    assert (bob.pending, bob.available, bob.paid) == (Decimal("80.00"), Decimal("50.00"), Decimal("0.00"))
    assert bob.next_due == DUE and bob.minutes == 120

    marked = say(ctx, ALICE, "/paid 2026-W47", TUE)  # in the contract's channel: the bonus, available since Monday
    assert isinstance(marked, Done) and "marked paid: 50.00 USD" in marked.text
    [told] = outbox(ctx, "paid")
    assert told.channel == "@U-bob" and "alice marked week 2026-W47 of Docs paid: 50.00 USD." in told.payload["text"]

    early = say(ctx, ALICE, "/paid 2026-W47", TUE)
    assert isinstance(early, Refusal) and "80.00 USD pending, available from Wednesday 2026-12-02 00:00 (UTC)" in early.message
    review.approve_week(ctx, ALICE, now=TUE, week="2026-W47")

    assert isinstance(say(ctx, ALICE, "/paid 2026-W47", DUE), Done)
    again = say(ctx, ALICE, "/paid 2026-W47", DUE + timedelta(hours=1))
    assert isinstance(again, Done) and "already marked paid (130.00 USD" in again.text
    assert len(outbox(ctx, "paid")) == 2
    [bob] = mine(ctx, BOB, DUE).earned
    assert (bob.pending, bob.available, bob.paid) == (Decimal("0.00"), Decimal("0.00"), Decimal("130.00"))


def test_a_paid_week_keeps_its_amounts_whatever_the_terms_do_afterwards(ctx):
    """Rule: docs/rules.md#earnings"""
    two_hours_and_a_bonus(ctx)
    review.approve_week(ctx, ALICE, now=TUE, week="2026-W47")
    say(ctx, ALICE, "/paid 2026-W47", DUE)
    before = mine(ctx, BOB, DUE)

    later = DUE + timedelta(hours=1)
    contracts.change_terms(ctx, ALICE, {"rate": Decimal("90"), "limit": Decimal("1"), "weekly": Decimal("500")}, now=later)
    contracts.change_terms(ctx, ALICE, {"rate": Decimal("10")}, now=later + timedelta(days=7))
    contracts.set_status(ctx, ALICE, ContractStatus.PAUSED, now=later + timedelta(days=8))

    after = mine(ctx, BOB, later + timedelta(days=9))
    assert after.earned[0].paid == before.earned[0].paid == Decimal("130.00")
    assert (after.earned[0].pending, after.earned[0].available) == (Decimal("0.00"), Decimal("0.00"))


def test_paid_by_the_freelancer_or_an_outsider_is_refused_and_changes_nothing(ctx):
    """Rule: docs/rules.md#earnings"""
    two_hours_and_a_bonus(ctx)
    review.approve_week(ctx, ALICE, now=TUE, week="2026-W47")
    elsewhere = person("carol", channel="C-elsewhere")

    tries = [(BOB, "/paid 2026-W47", "Only the client of this contract can mark its weeks paid."),
             (BOB, "/paid 2026-W47 @alice", "Only the client of this contract can mark its weeks paid."),
             (CAROL, "/paid 2026-W47 @bob", "You are not the client of any contract with bob"),
             (elsewhere, "/paid 2026-W47 @bob", "You are not the client of any contract with bob"),
             (elsewhere, "/paid 2026-W47", "Name the freelancer, e.g. /paid 2026-W47 @bob"),
             (ALICE, "/paid", "Name one week and the freelancer, e.g. /paid 2026-W47 @bob"),
             (ALICE, "/paid next-week", "Or say last, e.g. /paid 2026-W47 @bob")]
    for who, line, said in tries:
        answer = say(ctx, who, line, DUE)
        assert isinstance(answer, Refusal) and said in answer.message, (line, answer)
    assert outbox(ctx, "paid") == []
    assert mine(ctx, BOB, DUE).earned[0].available == Decimal("130.00")
    assert isinstance(say(ctx, CAROL, "/earnings @bob", DUE), Refusal)


def test_elsewhere_paid_marks_every_contract_of_the_client_with_that_freelancer(ctx):
    """Rule: docs/rules.md#earnings"""
    hire(ctx, HIRED, title="Docs")
    hire(ctx, HIRED, client=person("alice", "C2"), title="App", currency="EUR")
    device = pair_device(ctx, BOB, MON)
    work(ctx, device, BOB, MON, 6)
    work(ctx, device, person("bob", "C2"), WED, 3, memo="app")  # 0:30 at 40/h in EUR; its week is not approved below
    for cid in (1, 2):
        review.close_week(ctx, cid, pick_week("2026-W47", "UTC", MON), now=CLOSE)
    review.approve_week(ctx, ALICE, now=TUE, week="2026-W47", contract_id=1)

    shown = mine(ctx, ALICE, DUE)
    assert [(c.counterpart, c.available, c.currency) for c in shown.owed] == [("bob", Decimal("40.00"), "USD"),
                                                                             ("bob", Decimal("0.00"), "EUR")]
    assert shown.owed_totals.available == {"EUR": Decimal("0.00"), "USD": Decimal("40.00")}
    assert shown.owed_totals.pending == {"EUR": Decimal("20.00"), "USD": Decimal("0.00")}  # never added to dollars

    marked = say(ctx, person("alice", "C-elsewhere"), "/paid 2026-W47 @bob", DUE)
    assert isinstance(marked, Done) and "#1 Docs (bob) marked paid: 40.00 USD" in marked.text
    assert "#2 App (bob) is not available yet: 20.00 EUR becomes available once the week is approved" in marked.text


def test_a_disputed_part_is_held_and_the_rest_is_not_held_back(ctx):
    """Rule: docs/rules.md#earnings"""
    hire(ctx, HIRED, title="Docs")
    work(ctx, pair_device(ctx, BOB, MON), BOB, MON, 12)  # 09:00-11:00 on Monday
    review.dispute(ctx, ALICE, start=time(10), end=time(11), day="2026-11-16", reason="no work visible", now=TUE)

    [owed] = mine(ctx, ALICE, DUE).owed
    assert (owed.available, owed.held) == (Decimal("40.00"), Decimal("40.00"))
    say(ctx, ALICE, "/paid 2026-W47", DUE)
    review.dispute_action(ctx, ALICE, 1, "withdraw", now=DUE + timedelta(hours=1))

    [owed] = mine(ctx, ALICE, DUE + timedelta(hours=2)).owed
    assert (owed.available, owed.held, owed.paid) == (Decimal("40.00"), Decimal("0.00"), Decimal("40.00"))
    assert owed.available_weeks == ("2026-W47",)


def test_earnings_card_says_pending_available_paid_and_lifetime_hours(ctx):
    """Rule: docs/rules.md#earnings"""
    two_hours_and_a_bonus(ctx)
    card = card_for(say(ctx, BOB, "/earnings", TUE))
    text = "\n".join([card.title, *card.lines])
    assert "#1 Docs (client alice): pending 80.00 USD · available 50.00 USD · paid 0.00 USD" in text
    assert "lifetime 2:00 h" in text
    client = "\n".join(card_for(say(ctx, ALICE, "/earnings @bob", TUE)).lines)
    assert "bob — #1 Docs: pending 80.00 USD · available 50.00 USD" in client and "(weeks 2026-W47)" in client
    assert isinstance(say(ctx, CAROL, "/earnings", TUE), Refusal)


def test_the_export_and_the_weekly_summary_show_the_week_s_states(ctx):
    """Rule: docs/rules.md#earnings"""
    two_hours_and_a_bonus(ctx)
    review.approve_week(ctx, ALICE, now=TUE, week="2026-W47")
    say(ctx, ALICE, "/paid 2026-W47", TUE)  # the bonus
    rows = list(csv.DictReader(io.StringIO(export_week(ctx, "2026-W47", now=DUE))))
    total = next(row for row in rows if row["day"] == "total")
    assert (total["pending"], total["available"], total["paid"], total["paid_at"]) == ("0.00", "80.00", "50.00", TUE.isoformat())

    with ctx.unit() as s:
        line = summary.earnings_line(s, repo.live_contracts_of(s, member_id=1), DUE)
    assert line == "Earnings so far, every week of these contracts: available to pay 80.00 USD · pending 0.00 · paid 50.00 USD"


def test_two_marks_of_one_week_made_at_once_land_once(ctx):
    """Rule: docs/rules.md#earnings"""
    two_hours_and_a_bonus(ctx)
    with ctx.unit() as s:  # the mark a /paid made at the same moment already took seq 1
        mark = {"contract_id": 1, "week_start": MON.date(), "seq": 1, "amount": Decimal("50.00"), "currency": "USD",
                "paid_at": TUE, "by_member_id": 1}
        assert store.add_paid_mark(s, **mark) is not None
        assert store.add_paid_mark(s, **{**mark, "paid_at": TUE + timedelta(seconds=1)}) is None
    with ctx.unit() as s:
        assert [(m.seq, m.amount) for m in store.paid_marks(s, contract_ids=[1])] == [(1, Decimal("50.00"))]
    assert mine(ctx, BOB, TUE).earned[0].paid == Decimal("50.00")


def test_a_paid_mark_made_by_mistake_is_taken_back_once_by_its_client_and_the_amount_is_owed_again(ctx):
    """Rule: docs/rules.md#earnings"""
    two_hours_and_a_bonus(ctx)
    review.approve_week(ctx, ALICE, now=TUE, week="2026-W47")
    marked = say(ctx, ALICE, "/paid 2026-W47", DUE)
    [button] = card_for(marked).buttons
    assert button.label == "Undo" and button.ref.action is ButtonAction.UNDO_PAID
    mark = button.ref.number

    for who, line, said in [(BOB, f"/paid undo {mark}", "Only the client of a contract can take back its paid marks."),
                            (CAROL, f"/paid undo {mark}", "Only the client of a contract can take back its paid marks."),
                            (ALICE, "/paid undo", "e.g. /paid undo 5"),
                            (ALICE, "/paid undo 999", "There is no paid mark 999")]:
        answer = say(ctx, who, line, DUE)
        assert isinstance(answer, Refusal) and said in answer.message, (line, answer)
    assert mine(ctx, BOB, DUE).earned[0].paid == Decimal("130.00")

    later = DUE + timedelta(hours=1)
    undone = buttons.press(ctx, ALICE, button.ref, now=later)  # the Undo button, as every platform presses it
    assert isinstance(undone, Clicked) and "is taken back: 130.00 USD is owed again. bob is told." in undone.text
    [bob] = mine(ctx, BOB, later).earned
    assert (bob.available, bob.paid) == (Decimal("130.00"), Decimal("0.00"))
    assert "alice took back the paid mark of week 2026-W47 of Docs: 130.00 USD" in outbox(ctx, "paid")[-1].payload["text"]
    again = say(ctx, ALICE, f"/paid undo {mark}", later)
    assert isinstance(again, Refusal) and "already taken back" in again.message
    assert len(outbox(ctx, "paid")) == 2

    assert "marked paid: 130.00 USD" in say(ctx, ALICE, "/paid 2026-W47", later).text  # marked again, as a new mark
    rows = list(csv.DictReader(io.StringIO(export_week(ctx, "2026-W47", now=later))))
    total = next(row for row in rows if row["day"] == "total")
    assert (total["available"], total["paid"], total["paid_at"]) == ("0.00", "130.00", later.isoformat())


def test_the_shell_shows_the_undo_button_as_the_command_that_presses_it(ctx):
    """Rule: docs/rules.md#earnings"""
    two_hours_and_a_bonus(ctx)
    review.approve_week(ctx, ALICE, now=TUE, week="2026-W47")
    marked = say(ctx, ALICE, "/paid 2026-W47", DUE)
    mark = marked.undo[0][1]
    assert f"/paid undo {mark}" in card_text(card_for(marked), button_hint=_button_command)
