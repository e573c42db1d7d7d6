from decimal import Decimal

import pytest

from bot.services import contracts, sessions
from bot.services.results import Choice, ClockedIn, ContractCard
from diary.contract_terms import Terms
from diary.refusal import Refusal
from diary.terms import ContractStatus
from tests.conftest import utc
from tests.services.helpers import ALICE, BOB, CAROL, hire, outbox, person, ref

NOW = utc(2026, 11, 18, 9)


def test_a_client_creates_a_contract_and_the_channel_hears_of_it(ctx):
    card = contracts.create(ctx, ALICE, ref(BOB), Terms(rate=Decimal("40"), limit_hours=Decimal("40"), title="Docs"), now=NOW)
    assert isinstance(card, ContractCard)
    assert (card.client, card.freelancer, card.rate, card.limit_hours, card.status) == ("alice", "bob", Decimal("40"), Decimal("40"), "active")
    assert [m.payload["text"] for m in outbox(ctx, "contract")] == ["alice started a contract with bob: 40.00 USD/h."]


@pytest.mark.parametrize(
    "terms, words",
    [
        (Terms(rate=Decimal("0")), "rate=40"),
        (Terms(rate=Decimal("40"), tz="Mars/Olympus"), "tz=Europe/Berlin"),
        (Terms(rate=Decimal("40"), limit_hours=Decimal("200")), "limit=40"),
        (Terms(rate=Decimal("40"), currency="dollars"), "currency=EUR"),
        (Terms(rate=Decimal("40"), idle_minutes=0), "idle=10"),
    ],
)
def test_bad_terms_are_refused_with_an_example_and_nothing_is_created(ctx, terms, words):
    result = contracts.create(ctx, ALICE, ref(BOB), terms, now=NOW)
    assert isinstance(result, Refusal) and words in result.message
    assert isinstance(contracts.show(ctx, ALICE), Refusal)


def test_nobody_can_hire_themselves(ctx):
    result = contracts.create(ctx, ALICE, ref(ALICE), Terms(rate=Decimal("40")), now=NOW)
    assert isinstance(result, Refusal) and "yourself" in result.message


def test_pause_stops_the_running_session_and_blocks_clock_in_until_resumed(ctx):
    hire(ctx, NOW)
    sessions.clock_in(ctx, BOB, memo="x", now=NOW)
    paused = contracts.set_status(ctx, ALICE, ContractStatus.PAUSED, now=NOW)
    assert paused.status == "paused"
    assert isinstance(sessions.clock_out(ctx, BOB, now=NOW), Refusal)  # the pause already ended it
    refused = sessions.clock_in(ctx, BOB, now=NOW)
    assert isinstance(refused, Refusal) and "resume" in refused.message
    contracts.set_status(ctx, ALICE, ContractStatus.ACTIVE, now=NOW)
    assert isinstance(sessions.clock_in(ctx, BOB, now=NOW), ClockedIn)


def test_only_the_client_manages_the_contract(ctx):
    hire(ctx, NOW)
    for result in (contracts.set_status(ctx, BOB, ContractStatus.ENDED, now=NOW), contracts.set_rate(ctx, BOB, Decimal("99"), now=NOW)):
        assert isinstance(result, Refusal) and "client" in result.message
    assert contracts.show(ctx, ALICE).rate == Decimal("40")


def test_a_stranger_sees_nothing(ctx):
    hire(ctx, NOW)
    result = contracts.show(ctx, CAROL)
    assert isinstance(result, Refusal)


def test_an_ended_contract_cannot_be_resumed(ctx):
    hire(ctx, NOW)
    contracts.set_status(ctx, ALICE, ContractStatus.ENDED, now=NOW)
    assert isinstance(contracts.set_status(ctx, ALICE, ContractStatus.ACTIVE, now=NOW), Refusal)


def test_raising_the_rate_applies_now_and_cutting_it_from_next_week(ctx):
    hire(ctx, NOW)
    assert "from this week on" in contracts.set_rate(ctx, ALICE, Decimal("50"), now=NOW).headline
    assert "from next week on" in contracts.set_rate(ctx, ALICE, Decimal("30"), now=NOW).headline


def test_two_contracts_in_one_channel_make_the_client_choose(ctx):
    hire(ctx, NOW, freelancer=BOB)
    hire(ctx, NOW, freelancer=CAROL)
    choice = contracts.show(ctx, ALICE)
    assert isinstance(choice, Choice) and len(choice.options) == 2
    assert contracts.show(ctx, ALICE, other=ref(CAROL)).freelancer == "carol"


def test_settings_change_from_the_next_slot_and_bad_ones_are_refused(ctx):
    hire(ctx, NOW)
    card = contracts.change_terms(ctx, ALICE, {"screenshots": "blur", "idle": 15}, now=NOW)
    assert (card.screenshots, card.idle_minutes) == ("blur", 15)
    refused = contracts.change_terms(ctx, ALICE, {"tz": "Nowhere/Land"}, now=NOW)
    assert isinstance(refused, Refusal)
    assert contracts.show(ctx, person("alice")).tz == "UTC"


def test_a_wrong_contract_number_names_the_contracts_that_are_yours(ctx):
    """A typo in contract=N is not a dead end: the refusal lists the person's live contracts."""
    hire(ctx, NOW, title="Docs")
    wrong = sessions.clock_in(ctx, BOB, memo="x", now=NOW, contract_id=7)
    assert wrong == Refusal("There is no contract #7 of yours. Yours: #1 Docs (with alice, in C1).")
    assert sessions.clock_in(ctx, CAROL, memo="x", now=NOW, contract_id=1) == Refusal("There is no contract #1 of yours.")


def test_a_mistyped_person_is_named_back_with_the_contracts_that_are_yours(ctx):
    """'/timesheet @bbo' used to answer "You have no contract here yet" to a client who has one."""
    from bot import commands
    from tests.services.test_earnings import mention

    hire(ctx, NOW, title="Docs")
    said = commands.run(ctx, ALICE, "timesheet", "@bbo", now=NOW, mention=mention)
    assert said == Refusal("You have no contract with bbo. Yours: #1 Docs (with bob, in C1).", "not_found")
