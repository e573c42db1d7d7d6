"""Bodies capped before they are read whole, forged Slack requests answered without logging their
body, diary tokens masked in the access log, private files, and odd input refused, not crashed on."""

import json
import logging
import os
import stat
from datetime import timedelta

import pytest
from sqlalchemy import text

from bot import commands
from bot.shell import mention
from bot.web.log_mask import install as mask_tokens
from diary.refusal import Refusal
from storage.blobs import FolderBlobs
from storage.engine import make_engine
from tests.api.conftest import NOW
from tests.api.world import ALICE, API, Slot, client_for, hire, upload
from bot.http_app import create_app
from tests.slack.conftest import slack_settings
from tests.slack.harness import ALICE as SLACK_ALICE
from tests.slack.harness import SlackSide, serve
from tests.slack.harness import BOB as SLACK_BOB

PAIR = {"code": "ABCD-EFGH", "device_name": "laptop"}


def test_a_huge_json_body_is_refused_before_it_is_read(api):
    declared = api.post(f"{API}/pair", content=b"{" + b" " * 300_000 + b"}", headers={"Content-Type": "application/json"})
    assert declared.status_code == 413 and declared.json()["error"] == "too_large"

    def chunks():  # no Content-Length: the cap counts the bytes as they come
        yield json.dumps(PAIR)[:-1].encode() + b', "os": "'
        for _ in range(100):
            yield b"x" * 4096
        yield b'"}'

    streamed = api.post(f"{API}/pair", content=chunks(), headers={"Content-Type": "application/json"})
    assert streamed.status_code == 413 and "KB" in streamed.json()["detail"]


def test_a_small_pair_body_is_still_answered_by_the_rules(api):
    assert api.post(f"{API}/pair", json=PAIR).status_code == 404


def test_a_slot_start_at_the_end_of_the_calendar_is_refused_not_a_500(ctx, api, agent, session_id, clock):
    clock.advance(minutes=30)
    from datetime import UTC, datetime

    answer = upload(api, agent, Slot(session_id, datetime(9999, 12, 31, 23, 59, 50, tzinfo=UTC),
                                     screenshot_at=datetime(9999, 12, 31, 23, 59, 55, tzinfo=UTC)))
    assert answer.status_code == 422 and "2199-12-31" in answer.json()["detail"]
    late = api.post(f"{API}/events", json={"kind": "idle_stop", "at": "9999-12-31T23:59:59Z"},
                    headers={"Authorization": f"Bearer {agent}"})
    assert late.status_code == 422


@pytest.mark.parametrize("line", [
    "contract new @bob rate=40 limit=nan", "contract new @bob rate=40 limit=snan",
    "contract new @bob rate=40 limit=Infinity", "contract limit nan", "contract limit snan",
    "diary 9999-12-31", "timesheet 9999-W52", "timesheet 0001-W01", "diary 0001-01-01",
])
def test_odd_numbers_and_days_get_a_sentence_with_an_example(ctx, line):
    hire(ctx, NOW)
    name, _, rest = line.partition(" ")
    result = commands.run(ctx, ALICE, name, rest, now=NOW, mention=mention)
    assert isinstance(result, Refusal) and ("e.g." in result.message or "like" in result.message)


@pytest.mark.parametrize("timestamp", ["soon", "1e9", "-5", "99999999999999999999999"])
def test_a_non_numeric_slack_timestamp_is_refused_not_a_500(slack, ctx, timestamp):
    sent = slack.command(SLACK_ALICE, "contract", f"new {SLACK_BOB.mention} rate=40", timestamp=timestamp)
    assert sent.http.status_code == 401


def test_a_forged_slack_request_is_logged_without_its_body(slack, caplog):
    caplog.set_level(logging.DEBUG)
    caplog.set_level(logging.DEBUG, logger="tally")
    sent = slack.command(SLACK_ALICE, "contract", "new secret-words-of-the-body rate=40", secret="wrong")
    assert sent.http.status_code == 401
    server = [r.getMessage() for r in caplog.records if not r.name.startswith(("httpx", "httpcore"))]  # not the test's client
    assert not [line for line in server if "secret-words-of-the-body" in line]
    assert any("signature" in line for line in server)


def test_a_huge_slack_body_is_refused_before_it_is_read(ctx, fake):
    with serve(create_app(ctx, slack_settings(fake))) as url:
        answer, _ = SlackSide(url, fake).post(b"payload=" + b"x" * (2 * 1024 * 1024), "application/x-www-form-urlencoded")
    assert answer.status_code == 413 and answer.json()["error"] == "too_large"


def test_diary_tokens_are_masked_in_the_access_log(ctx, clock, caplog):
    access = logging.getLogger("uvicorn.access")  # uvicorn's own logger, which does not propagate
    access.addHandler(caplog.handler)
    caplog.handler.setLevel(logging.INFO)
    access.setLevel(logging.INFO)
    try:
        with client_for(ctx, clock):
            mask_tokens()
            access.info('%s - "%s %s HTTP/%s" %d', "203.0.113.7:5", "GET",
                        "/diary/eyJ0.c2lnbmF0dXJl/shots/4?size=thumb", "1.1", 200)
    finally:
        access.removeHandler(caplog.handler)
    assert "eyJ0" not in caplog.text and "c2lnbmF0dXJl" not in caplog.text
    assert "/diary/…/shots/4?size=thumb" in caplog.text


def test_screenshots_and_their_folders_are_private(tmp_path):
    blobs = FolderBlobs(tmp_path / "shots")
    blobs.put("7/2026/11/18/100000-ab.webp", b"RIFF", "image/webp")
    path = tmp_path / "shots" / "7" / "2026" / "11" / "18" / "100000-ab.webp"
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    for folder in (path.parent, path.parent.parent, tmp_path / "shots" / "7"):
        assert stat.S_IMODE(folder.stat().st_mode) == 0o700


def test_the_sqlite_database_and_its_wal_are_private(tmp_path):
    engine = make_engine(f"sqlite:///{tmp_path / 'data' / 'tally.sqlite3'}")
    with engine.begin() as conn:
        conn.execute(text("create table t (x int)"))
        conn.execute(text("insert into t values (1)"))
        names = {p.name: stat.S_IMODE(p.stat().st_mode) for p in (tmp_path / "data").iterdir()}
    engine.dispose()
    assert {"tally.sqlite3", "tally.sqlite3-wal"} <= set(names)
    assert set(names.values()) == {0o600}
    assert stat.S_IMODE((tmp_path / "data").stat().st_mode) == 0o700
