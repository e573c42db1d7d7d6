"""Discord interactions are acted on once per interaction id, even if delivered again."""

from sqlmodel import select

from storage.tables import Bonus, Contract
from tests.discord.talk import ALICE, BOB, CHANNEL_ID, MODAL_SUBMIT


async def test_an_interaction_delivered_twice_records_one_bonus(discord, fake, ctx):
    await discord.slash(ALICE, "contract new", freelancer=BOB, rate=40)
    data = discord._command_data("bonus", {"user": BOB, "amount": "50"})
    interaction = discord._interaction(2, ALICE, data, "900000000000000003", None)
    await fake.dispatch("INTERACTION_CREATE", interaction)
    await discord.answer(interaction)
    await fake.dispatch("INTERACTION_CREATE", interaction)  # the same interaction again
    await discord.slash(ALICE, "contract show")  # a later interaction: the repeat was handled before it
    with ctx.unit() as s:
        assert [b.amount for b in s.exec(select(Bonus))] == [50]


async def test_a_form_submission_delivered_twice_creates_one_contract(discord, fake, ctx):
    """A submitted form (modal) delivered again is dropped like any repeated interaction."""
    form = await discord.slash(ALICE, "contract new")
    data = discord.submission_data(form, {"freelancer": BOB, "rate": "35", "title": "Landing page"})
    interaction = discord._interaction(MODAL_SUBMIT, ALICE, data, CHANNEL_ID, None)
    await fake.dispatch("INTERACTION_CREATE", interaction)
    assert "Contract created: #1 Landing page" in (await discord.answer(interaction)).text
    await fake.dispatch("INTERACTION_CREATE", interaction)  # the same submission again
    shown = await discord.slash(ALICE, "contract show")  # a later interaction: the repeat was handled before it
    assert "#1 Landing page" in shown.text
    with ctx.unit() as s:
        assert [c.title for c in s.exec(select(Contract))] == ["Landing page"]
    assert len(fake.callbacks[interaction["id"]]) == 1  # answered once
