"""A Discord command while the database is away gets a private sentence, not an error (and
nothing is logged at ERROR: the outage is logged once, as a warning)."""

import pytest

from bot.services.context import Context
from storage.blobs import FolderBlobs
from storage.engine import make_engine
from storage.migrate import upgrade
from tests.discord.conftest import run_bot
from tests.discord.talk import ALICE, BOB, Discord


@pytest.fixture
def ctx_on_own_cluster(private_postgres, tmp_path):
    engine = make_engine(private_postgres.url)
    upgrade(engine)
    yield Context(engine=engine, blobs=FolderBlobs(tmp_path), public_url="http://tally.test")
    engine.dispose()


async def test_a_command_while_the_database_is_down_is_answered_privately(ctx_on_own_cluster, private_postgres, fake, clock):
    bot, task = await run_bot(ctx_on_own_cluster, fake, clock)
    try:
        discord = Discord(fake)
        await discord.slash(ALICE, "contract new", freelancer=BOB, rate=40, title="Docs")
        private_postgres.stop()
        try:
            reply = await discord.slash(BOB, "clockin", memo="docs")
        finally:
            private_postgres.start()
        assert reply.ephemeral and reply.text == "Tally's database is unavailable, try again in a minute."
        assert "Clocked in" in (await discord.slash(BOB, "clockin", memo="docs")).text
    finally:
        await bot.close()
        await task
