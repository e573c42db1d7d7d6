"""`GET /`: what an operator needs to see at a glance, and nothing about anyone."""

from datetime import timedelta

from fastapi.testclient import TestClient

from bot.services.context import Context
from bot.version import VERSION
from storage.blobs import FolderBlobs
from storage.engine import make_engine
from tests.api.world import make_app
from tests.web.conftest import NOW


def as_json(pages) -> dict:
    answer = pages.get("/", headers={"Accept": "application/json"})
    assert answer.status_code == 200
    return {line["name"]: line for line in answer.json()["lines"]} | {"_": answer.json()}


def test_the_status_page_shows_version_platforms_database_outbox_and_agents(ctx, worked, pages, clock):
    clock.now = NOW + timedelta(minutes=5)
    page = pages.get("/")

    assert page.status_code == 200 and page.headers["content-type"].startswith("text/html")
    text = page.text
    assert f"Tally {VERSION}" in text
    assert "Slack</th><td>off (set SLACK_BOT_TOKEN and SLACK_SIGNING_SECRET)" in text
    assert "Discord</th><td>off (set DISCORD_TOKEN)" in text
    assert ("SQLite" if ctx.engine.dialect.name == "sqlite" else "PostgreSQL") in text
    assert "Migrations</th><td>current" in text
    assert "1 seen in the last 15 minutes" in text
    assert "tally doctor" in text


def test_the_status_page_names_no_person_contract_amount_or_screenshot(ctx, worked, pages):
    text = pages.get("/").text.lower()

    for private in ("bob", "alice", "landing page", "planning call", "firefox", "pull request", "$", "usd", "/diary/", "screenshot"):
        assert private not in text, private


def test_the_outbox_backlog_and_its_oldest_age_are_shown(ctx, worked, pages, clock):
    clock.now = NOW + timedelta(minutes=30)
    lines = as_json(pages)

    waiting = lines["Outbox"]["text"]
    assert waiting.startswith(("1 waiting", "2 waiting", "3 waiting")) and "oldest waiting" in waiting and " h " in waiting
    assert lines["Outbox"]["ok"] is False  # messages held up for over a quarter of an hour
    assert lines["_"]["problems"] == 1


def test_agents_not_seen_for_a_quarter_of_an_hour_are_not_counted(ctx, worked, pages, clock):
    clock.now = NOW + timedelta(minutes=16)

    assert as_json(pages)["Agents"]["text"] == "0 seen in the last 15 minutes"


def test_an_unreachable_database_is_shown_not_a_crash(tmp_path, clock):
    down = make_engine("postgresql+psycopg://nobody@127.0.0.1:9/none?connect_timeout=2")
    ctx = Context(engine=down, blobs=FolderBlobs(tmp_path))
    with TestClient(make_app(ctx, clock)) as pages:
        lines = as_json(pages)

    assert lines["Database"] == {"name": "Database", "text": "PostgreSQL: not reachable", "ok": False}
    assert lines["_"]["problems"] == 1


def test_however_often_the_page_is_asked_for_the_database_is_read_once_per_five_seconds(ctx, worked, pages, clock):
    clock.now = NOW + timedelta(minutes=14, seconds=58)
    first = as_json(pages)["Agents"]["text"]
    clock.now = NOW + timedelta(minutes=15, seconds=2)  # bob's agent is now over 15 minutes quiet
    assert as_json(pages)["Agents"]["text"] == first == "1 seen in the last 15 minutes"
    clock.now = NOW + timedelta(minutes=15, seconds=3)

    assert as_json(pages)["Agents"]["text"] == "0 seen in the last 15 minutes"
