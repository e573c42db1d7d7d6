"""One rule for free text: memo, title, note and reason have one limit each and are cleaned of NUL
and other control characters, in chat, forms, the agent API and the agent itself."""

import json
from datetime import timedelta

import pytest
from sqlmodel import select

from agent.slotclock import OpenSlot
from agent.wire import WindowInfo as AgentWindow
from agent.wire import event_body
from bot import commands
from bot.services import sessions
from bot.shell import mention
from diary.protocol import SlotReport
from diary.refusal import Refusal
from diary.text import MAX_MEMO, MEMO, checked, clean, fit
from storage.tables import Bonus, Contract, Slot as SlotRow, WorkSession
from tests.api.conftest import NOW
from tests.api.world import ALICE, BOB, Slot, hire, pair_agent, upload

LONG = "refactoring the invoice exporter " * 20  # 660 characters


def _run(ctx, actor, line, now=NOW):
    name, _, rest = line.partition(" ")
    return commands.run(ctx, actor, name, rest, now=now, mention=mention)


def _all(ctx, table):
    with ctx.unit() as s:
        return list(s.exec(select(table)))


def test_cleaning_removes_control_characters_and_keeps_every_script():
    assert clean("fix\x00 login\tpage\r\n\x1b[31m ") == "fix login page  [31m"
    assert clean("Überarbeitung — 修正 \u200dok") == "Überarbeitung — 修正 \u200dok"
    assert clean("a\ud800b") == "ab"
    assert fit("x" * 900, MAX_MEMO) == "x" * MAX_MEMO and fit(None, 5) is None
    refusal = checked("x" * 501, MEMO)
    assert isinstance(refusal, Refusal) and "500" in refusal.message and "e.g." in refusal.message


def test_a_too_long_clockin_memo_is_refused_and_nothing_starts(ctx):
    hire(ctx, NOW)
    refusal = _run(ctx, BOB, f"clockin {LONG}")
    assert isinstance(refusal, Refusal) and "at most 500" in refusal.message
    assert _all(ctx, WorkSession) == []


def test_a_too_long_memo_is_refused_and_the_memo_stays(ctx):
    hire(ctx, NOW)
    _run(ctx, BOB, "clockin landing page")
    assert isinstance(_run(ctx, BOB, f"memo {LONG}"), Refusal)
    assert [s.memo for s in _all(ctx, WorkSession)] == ["landing page"]


def test_nul_in_chat_text_is_cleaned_on_both_databases(ctx):
    result = _run(ctx, ALICE, 'contract new @bob rate=40 title="Web\x00site"')
    assert not isinstance(result, Refusal), result
    _run(ctx, BOB, "clockin writing\x00 docs")
    _run(ctx, BOB, "memo code\x00 review")
    _run(ctx, ALICE, "bonus @bob 50 thanks\x00 a lot")
    assert [c.title for c in _all(ctx, Contract)] == ["Website"]
    assert [s.memo for s in _all(ctx, WorkSession)] == ["code review"]
    assert [b.note for b in _all(ctx, Bonus)] == ["thanks a lot"]


@pytest.mark.parametrize("line, kind", [
    (f"bonus @bob 50 {'x' * 501}", "note"),
    (f"contract set title=\"{'x' * 201}\"", "title"),
])
def test_too_long_notes_and_titles_get_a_sentence(ctx, line, kind):
    hire(ctx, NOW)
    refusal = _run(ctx, ALICE, line)
    assert isinstance(refusal, Refusal) and kind in refusal.message and "e.g." in refusal.message


def test_a_slot_with_a_long_memo_and_nul_is_recorded_trimmed_not_refused(ctx, api, agent, session_id, clock):
    """Agents of before this rule copy a too-long memo into every slot: those slots must not be lost."""
    clock.advance(minutes=30)
    answer = upload(api, agent, Slot(session_id, NOW, memo="\x00" + LONG, extra={"window": {"app": "x\x00", "title": "t" * 400}}))
    assert answer.status_code == 201, answer.text
    (row,) = _all(ctx, SlotRow)
    assert row.memo == LONG.strip()[:MAX_MEMO] and "\x00" not in row.memo


def test_the_agent_trims_and_cleans_before_it_queues():
    slot = OpenSlot(session_id=3, start=NOW, seconds=600, tracked_from=NOW, shot_due=NOW, memo=LONG + "\x00",
                    window=AgentWindow("ed\x00itor", "t" * 400))
    meta = slot.report("0.1.0")
    assert len(meta["memo"]) == MAX_MEMO and meta["window"] == {"app": "editor", "title": "t" * 300}
    SlotReport.model_validate_json(json.dumps(meta))
    assert len(event_body("local_clockin", NOW, LONG)["memo"]) == MAX_MEMO


@pytest.mark.parametrize("window", [False, True])
def test_a_window_title_is_kept_only_where_the_contract_asks_for_it(ctx, api, clock, window):
    hire(ctx, NOW, window=window)
    token = pair_agent(ctx, NOW)
    sessions.clock_in(ctx, BOB, memo="x", now=NOW)
    session_id = _all(ctx, WorkSession)[0].id
    clock.advance(minutes=30)
    sent = Slot(session_id, NOW, extra={"window": {"app": "firefox", "title": "bank statement — Private"}})
    assert upload(api, token, sent).status_code == 201
    (row,) = _all(ctx, SlotRow)
    assert (row.window_app, row.window_title) == (("firefox", "bank statement — Private") if window else (None, None))
