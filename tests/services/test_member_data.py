"""A person's data on request: the export holds everything about them (and nothing of anyone
else's diary), the erasure removes their screenshots, memos and titles and keeps every hour and
statement as it was."""

import json
import subprocess
import sys
import zipfile
from datetime import datetime, timedelta

import pytest
from fastapi.testclient import TestClient
from sqlmodel import SQLModel

from bot import jobs
from bot.services import member_data
from tests.api.world import ALICE, BOB, clock_in, hire, make_app
from tests.web.conftest import NOW, diary_path, work_a_wednesday

CLOSED_AT = datetime(2026, 11, 23, 12, 5, tzinfo=NOW.tzinfo)
PRIVATE = ("landing page", "planning call", "Pull request #12", "Firefox")


class Clock:
    def __init__(self, now: datetime) -> None:
        self.now = now

    def __call__(self) -> datetime:
        return self.now


@pytest.fixture
def worked(ctx) -> None:
    """bob's Wednesday of week 47 (closed), and a Tuesday of week 48 still open."""
    work_a_wednesday(ctx, Clock(NOW))
    with ctx.engine.begin() as conn:  # as a contract with window=on records them
        slot = SQLModel.metadata.tables["slot"]
        conn.execute(slot.update().where(slot.c.manual.is_(False)).values(
            window_app="Firefox", window_title="Pull request #12", windows=[["Firefox", "Pull request #12"]] * 10))
    jobs.JOBS["week-close"](ctx, now=CLOSED_AT)
    clock_in(ctx, CLOSED_AT + timedelta(days=1), memo="landing page, part two")


def person(ctx, actor):
    found = member_data.find(ctx, actor.name)
    assert isinstance(found, member_data.Person), found
    return found


def every_text(ctx) -> str:
    with ctx.engine.connect() as conn:
        return "\n".join(str(tuple(row)) for table in SQLModel.metadata.sorted_tables for row in conn.execute(table.select()))


def books(ctx) -> dict:
    """What the money rests on: closed weeks as stored, the hours of every slot, and the week pages."""
    with ctx.engine.connect() as conn:
        reviews = [tuple(r) for r in conn.execute(SQLModel.metadata.tables["week_review"].select())]
        slot = SQLModel.metadata.tables["slot"]
        hours = [tuple(r) for r in conn.execute(slot.select().with_only_columns(
            slot.c.start, slot.c.minutes, slot.c.active_minutes, slot.c.tracked_minutes, slot.c.screenshot_at,
            slot.c.manual, slot.c.deleted_at).order_by(slot.c.start))]
    with TestClient(make_app(ctx, Clock(CLOSED_AT + timedelta(days=1)))) as pages:
        weeks = [pages.get(f"{diary_path(ctx, who, 1, now=CLOSED_AT)}?week={week}").text
                 for who in (ALICE, BOB) for week in ("2026-W47", "2026-W48")]
    return {"reviews": reviews, "hours": hours, "weeks": weeks}


def test_the_export_holds_everything_about_the_freelancer(ctx, worked, tmp_path):
    shots = member_data.export(ctx, person(ctx, BOB), tmp_path / "bob.zip", now=CLOSED_AT)

    with zipfile.ZipFile(tmp_path / "bob.zip") as zf:
        names = zf.namelist()
        about = json.loads(zf.read("member.json"))
        contract = json.loads(zf.read("contracts/1.json"))
        images = {n: zf.read(n) for n in names if n.startswith("screenshots/")}
        everything = "\n".join(zf.read(n).decode() for n in names if n.endswith((".json", ".txt")))
    assert about["member"]["name"] == "bob" and about["devices"][0]["name"] == "laptop"
    assert contract["role"] == "freelancer" and len(contract["slots"]) == 9  # 7 tracked, 2 manual
    assert contract["weeks"][0]["statement"] and contract["manual_time"][0]["memo"] == "planning call"
    assert shots == 7 and len(images) == 7
    assert all(ctx.blobs.get(n.removeprefix("screenshots/")) == data for n, data in images.items())
    assert all(text in everything for text in PRIVATE)
    assert "token_hash" not in everything and "code_hash" not in everything


def test_the_client_s_export_holds_the_contract_and_statements_but_not_the_freelancer_s_diary(ctx, worked, tmp_path):
    member_data.export(ctx, person(ctx, ALICE), tmp_path / "alice.zip", now=CLOSED_AT)

    with zipfile.ZipFile(tmp_path / "alice.zip") as zf:
        contract = json.loads(zf.read("contracts/1.json"))
        assert not [n for n in zf.namelist() if n.startswith("screenshots/")]
    assert contract["role"] == "client" and contract["weeks"][0]["statement"]
    assert "slots" not in contract and "sessions" not in contract and "screenshots" not in contract


def test_erasing_removes_screenshots_memos_and_titles_and_keeps_every_hour_and_statement(ctx, worked):
    keys = list(ctx.blobs.keys())
    before = books(ctx)

    done = member_data.erase(ctx, person(ctx, BOB))

    assert (done.contracts, done.screenshots) == (1, 7) and done.messages >= 1
    assert all(ctx.blobs.get(k) is None for k in keys if not k.startswith("charts/"))
    leftover = every_text(ctx)
    assert not [text for text in PRIVATE if text in leftover], leftover
    assert books(ctx) == before


def test_erasing_twice_changes_nothing_more_and_a_client_s_erasure_leaves_the_freelancer_s_diary(ctx, worked):
    member_data.erase(ctx, person(ctx, BOB))
    after_once = every_text(ctx)

    again = member_data.erase(ctx, person(ctx, BOB))
    hers = member_data.erase(ctx, person(ctx, ALICE))

    assert (again.screenshots, again.slots, again.messages) == (0, 0, 0)
    assert hers.contracts == 0 and every_text(ctx) == after_once


def test_an_unknown_or_shared_name_is_refused_with_what_to_do(ctx, worked):
    hire(ctx, NOW, client=ALICE, freelancer=BOB.__class__("discord", "G1", "D-BOB", "bob", "#c"))

    unknown = member_data.find(ctx, "mallory")
    shared = member_data.find(ctx, "bob")

    assert unknown.code == "not_found" and "Nobody called 'mallory'" in unknown.message
    assert shared.code == "conflict" and "--member" in shared.message
    assert isinstance(member_data.find(ctx, "bob", member_id=int(shared.message.split("--member ")[1].split()[0])),
                      member_data.Person)


def test_the_commands_export_without_overwriting_and_ask_before_erasing(tmp_path):
    env = {"TALLY_DATA_DIR": str(tmp_path / "data"), "PATH": "/usr/bin:/bin", "PYTHONPATH": sys.path[0]}
    subprocess.run([sys.executable, "-m", "bot.cli", "db", "upgrade"], env=env, cwd=tmp_path, capture_output=True, check=True)
    subprocess.run([sys.executable, "-m", "bot.cli", "shell", "--as", "alice"], input='/contract new @bob rate=40\n',
                   env=env, cwd=tmp_path, capture_output=True, text=True, check=True)

    exported = subprocess.run([sys.executable, "-m", "bot.cli", "member", "export", "@bob"], env=env, cwd=tmp_path,
                              capture_output=True, text=True)
    again = subprocess.run([sys.executable, "-m", "bot.cli", "member", "export", "bob"], env=env, cwd=tmp_path,
                           capture_output=True, text=True)
    unasked = subprocess.run([sys.executable, "-m", "bot.cli", "member", "erase", "bob"], env=env, cwd=tmp_path,
                             capture_output=True, text=True, stdin=subprocess.DEVNULL)
    confirmed = subprocess.run([sys.executable, "-m", "bot.cli", "member", "erase", "bob", "--yes"], env=env,
                               cwd=tmp_path, capture_output=True, text=True)

    assert exported.returncode == 0 and zipfile.is_zipfile(tmp_path / "tally-bob.zip"), exported.stderr
    assert again.returncode == 1 and "exists already" in again.stderr
    assert unasked.returncode == 1 and "nothing erased" in unasked.stderr
    assert confirmed.returncode == 0 and "hours and statements kept" in confirmed.stdout
