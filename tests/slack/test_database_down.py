"""A Slack command while the database is away gets a private sentence, not an error."""

import pytest
from fastapi import FastAPI

from bot.services.context import Context
from bot.slack.http import mount
from storage.blobs import FolderBlobs
from storage.engine import make_engine
from storage.migrate import upgrade
from tests.slack.conftest import slack_settings
from tests.slack.harness import ALICE, BOB, SlackSide, serve


@pytest.fixture
def ctx_on_own_cluster(private_postgres, tmp_path):
    engine = make_engine(private_postgres.url)
    upgrade(engine)
    yield Context(engine=engine, blobs=FolderBlobs(tmp_path), public_url="http://tally.test")
    engine.dispose()


def test_a_command_while_the_database_is_down_is_answered_privately(ctx_on_own_cluster, private_postgres, fake, clock):
    app = FastAPI()
    mount(app, ctx_on_own_cluster, slack_settings(fake), clock=clock)
    with serve(app) as url:
        slack = SlackSide(url, fake)
        assert "Contract" in slack.ask(ALICE, "contract", f"new <@{BOB.id}|bob> rate=40")["text"]
        private_postgres.stop()
        try:
            reply = slack.ask(BOB, "clockin", "docs")
        finally:
            private_postgres.start()
        assert reply["response_type"] == "ephemeral"
        assert reply["text"] == "Tally's database is unavailable, try again in a minute."
        assert "Clocked in" in slack.ask(BOB, "clockin", "docs")["text"]
