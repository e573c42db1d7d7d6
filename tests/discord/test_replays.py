"""Discord interactions are acted on once per interaction id, even if delivered again."""

from sqlmodel import select

from storage.tables import Bonus
from tests.discord.talk import ALICE, BOB


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
