"""The webcam term through the real discord.py client and the fake Discord: the client sets it,
the card says whether the freelancer consented. Rule: docs/rules.md#webcam"""

from tests.discord.talk import ALICE, BOB, Discord


async def test_the_client_sets_webcam_and_the_card_says_the_freelancer_has_not_consented(discord: Discord):
    await discord.slash(ALICE, "contract new", freelancer=BOB, rate=40, title="Docs")
    shown = await discord.slash(ALICE, "contract show")
    assert "Webcam: off" in shown.text and "consent" not in shown.text
    changed = await discord.slash(ALICE, "contract set", webcam=True)
    assert changed.ephemeral and "Webcam: on from the next slot on" in changed.text
    shown = await discord.slash(BOB, "contract show")
    assert "Webcam: on — the client asked for it; the freelancer has not consented" in shown.text
    refused = await discord.slash(BOB, "contract set", webcam=False)
    assert not refused.body.get("embeds") and "Only the client of this contract" in refused.text
