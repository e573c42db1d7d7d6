"""Group commit as the upload route uses it: uploads that arrive together are recorded together,
and every sender gets its own answer, or its own error."""

import asyncio
from collections import Counter
from datetime import timedelta

import httpx
import pytest
from sqlmodel import select

from bot.api.group_commit import GroupCommit
from storage.tables import Screenshot
from storage.tables import Slot as SlotRow
from tests.api.conftest import NOW
from tests.api.world import API, Slot, bearer, make_app, screenshot


class Recorder:
    """A record function that keeps the groups it was given; item 'bad' gets an error back."""

    def __init__(self):
        self.groups: list[list] = []

    def __call__(self, items):
        self.groups.append(list(items))
        return [ValueError(f"bad {item}") if item == "bad" else f"ok {item}" for item in items]


def _submit_all(commit: GroupCommit, items) -> list:
    async def run():
        return await asyncio.gather(*(commit.submit(item) for item in items), return_exceptions=True)
    return asyncio.run(run())


def test_uploads_that_arrive_together_form_one_group_and_each_gets_its_own_answer():
    record = Recorder()
    answers = _submit_all(GroupCommit(record), list(range(10)))
    assert record.groups == [list(range(10))]
    assert answers == [f"ok {n}" for n in range(10)]


def test_an_error_for_one_upload_is_raised_to_its_sender_only():
    answers = _submit_all(GroupCommit(Recorder()), ["a", "bad", "c"])
    assert answers[0] == "ok a" and answers[2] == "ok c"
    assert isinstance(answers[1], ValueError) and str(answers[1]) == "bad bad"


def test_groups_are_bounded_and_the_rest_waits_for_the_next():
    record = Recorder()
    answers = _submit_all(GroupCommit(record, largest=4), list(range(10)))
    assert [len(g) for g in record.groups] == [4, 4, 2] and answers == [f"ok {n}" for n in range(10)]


def test_a_writer_that_fails_outright_fails_its_group_and_the_next_group_is_recorded():
    calls = Counter()

    def flaky(items):
        calls["n"] += 1
        if calls["n"] == 1:
            raise OSError("the database went away")
        return [f"ok {item}" for item in items]

    commit = GroupCommit(flaky)
    first = _submit_all(commit, ["a", "b"])
    assert all(isinstance(answer, OSError) for answer in first)
    assert _submit_all(commit, ["c"]) == ["ok c"]


# ---------------------------------------------------------------- through the HTTP API

def _files(slot: Slot, image: bytes) -> dict:
    return {"meta": (None, slot.meta(), "application/json"), "screenshot": ("shot.webp", image, "image/webp")}


async def _upload_all(app, requests: list[tuple[str, Slot]]) -> list[httpx.Response]:
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://tally.test") as client:
        return await asyncio.gather(*(client.post(f"{API}/slots", files=_files(slot, screenshot()), headers=bearer(token))
                                      for token, slot in requests))


@pytest.fixture
def app(ctx, clock, agent, session_id):
    clock.advance(hours=3)  # every slot below is in the past
    return make_app(ctx, clock)


def _rows(ctx, table=SlotRow) -> list:
    with ctx.unit() as s:
        return list(s.exec(select(table)))


def test_concurrent_uploads_are_each_recorded_once(ctx, app, agent, session_id):
    distinct = [(agent, Slot(session_id, NOW + timedelta(minutes=10 * n))) for n in range(12)]
    repeats = [(agent, Slot(session_id, NOW))] * 4  # an agent that retried while its first try was in flight
    answers = asyncio.run(_upload_all(app, distinct + repeats))
    assert Counter(a.status_code for a in answers) == Counter({201: 12, 200: 4})
    assert {a.json()["id"] for a in answers[12:]} == {answers[0].json()["id"]}
    assert len(_rows(ctx)) == 12 and len(_rows(ctx, Screenshot)) == 12


def test_a_bad_upload_among_concurrent_ones_costs_only_its_own_answer(ctx, app, agent, session_id):
    good = [(agent, Slot(session_id, NOW + timedelta(minutes=10 * n))) for n in range(5)]
    bad = [("not-a-token", Slot(session_id, NOW + timedelta(minutes=60))),
           (agent, Slot(session_id, NOW + timedelta(minutes=3))),  # not on a slot boundary
           (agent, Slot(999, NOW + timedelta(minutes=70)))]  # no such session
    answers = asyncio.run(_upload_all(app, good + bad))
    assert [a.status_code for a in answers] == [201] * 5 + [401, 422, 404]
    assert answers[5].headers["www-authenticate"] == "Bearer"
    assert len(_rows(ctx)) == 5
