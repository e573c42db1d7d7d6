"""Where the week's time went: the agent's per-minute windows, kept only under window=on, reported
by /apps (shell), on the diary week page and in `tally export`, to the contract's two parties only.

Rule: docs/rules.md#apps
"""

import csv
import io
from datetime import timedelta

from fastapi.testclient import TestClient
from sqlmodel import select

from bot.export import export_week
from bot.services import contracts
from bot.shell import Shell
from storage.tables import Slot as SlotRow
from tests.api.conftest import NOW
from tests.api.world import ALICE, BOB, Slot, clock_in, hire, make_app, pair_agent, upload
from tests.web.conftest import diary_path

CODE = {"app": "code", "title": "main.py — tally"}
FIREFOX = {"app": "firefox", "title": "Pull request #12"}
BANK = {"app": "firefox", "title": "Online Banking"}


def per_minute(*windows) -> dict:
    """A current agent's meta: one sample a minute (None: no window that minute)."""
    return {"windows": list(windows), "window": windows[4]}


def shell(ctx, clock, user: str) -> str:
    out = io.StringIO()
    Shell(ctx, user, out=out, channel="#work", clock=clock).handle("/apps")
    return out.getvalue()


def rows(ctx) -> list[SlotRow]:
    with ctx.unit() as s:
        return list(s.exec(select(SlotRow).order_by(SlotRow.start)))


def test_each_minute_goes_to_its_window_and_an_old_agents_window_stands_for_its_slot(ctx, api, clock):
    """Two slots of seven code minutes and three Firefox minutes, one slot from an agent that sends only
    its screenshot's window, and one where a private app had focus for five minutes."""
    hire(ctx, NOW - timedelta(days=2), window=True)
    token = pair_agent(ctx, NOW)
    session_id = clock_in(ctx, NOW)
    clock.advance(minutes=50)
    mixed = per_minute(*[CODE] * 7, *[FIREFOX] * 3)
    for i in range(2):
        assert upload(api, token, Slot(session_id, NOW + timedelta(minutes=10 * i), extra=mixed)).status_code == 201
    old = Slot(session_id, NOW + timedelta(minutes=20), extra={"window": FIREFOX})
    assert upload(api, token, old).status_code == 201
    private = per_minute(*[CODE] * 5, *[None] * 5) | {"private_app": True, "window": None}
    assert upload(api, token, Slot(session_id, NOW + timedelta(minutes=30), extra=private)).status_code == 201
    # The same slot again (a lost answer): still the same slot, not a conflict.
    assert upload(api, token, Slot(session_id, NOW, extra=mixed)).status_code == 200

    for who in ("alice", "bob"):
        text = shell(ctx, clock, who)
        assert "Apps 2026-W47 of bob" in text
        assert "code" in text and "0:19" in text and "48%" in text  # 7 + 7 + 5 of 40 counted minutes
        assert "firefox" in text and "0:16" in text and "40%" in text  # 3 + 3 + a whole old slot
        assert "Pull request #12" in text and "main.py — tally" in text
        assert "no window recorded" in text and "0:05" in text and "13%" in text
        assert "week (counted)" in text and "0:40" in text
    assert rows(ctx)[0].windows[0] == ["code", "main.py — tally"]


def test_nothing_of_the_windows_is_kept_or_shown_under_window_off(ctx, api, clock):
    hire(ctx, NOW - timedelta(days=2))
    token = pair_agent(ctx, NOW)
    session_id = clock_in(ctx, NOW)
    clock.advance(minutes=20)
    assert upload(api, token, Slot(session_id, NOW, extra=per_minute(*[CODE] * 10))).status_code == 201
    assert [(r.windows, r.window_app, r.window_title) for r in rows(ctx)] == [(None, None, None)]
    answer = shell(ctx, clock, "bob")
    assert "window tracking is off on this contract; the client can turn it on with `/contract set window=on`." in answer


def test_titles_an_older_server_kept_under_window_off_stay_hidden_after_window_on(ctx, api, clock):
    contract_id = hire(ctx, NOW - timedelta(days=2))
    token = pair_agent(ctx, NOW)
    session_id = clock_in(ctx, NOW)
    clock.advance(minutes=20)
    assert upload(api, token, Slot(session_id, NOW)).status_code == 201
    with ctx.unit() as s:  # what a server before the fix wrote whatever the contract said
        row = s.exec(select(SlotRow)).one()
        row.window_app, row.window_title, row.windows = "firefox", "Secret plans", [["firefox", "Secret plans"]] * 10
    contracts.change_terms(ctx, ALICE, {"window": True}, now=clock.now)
    text = shell(ctx, clock, "alice")
    assert "Secret plans" not in text and "no window recorded" in text
    with TestClient(make_app(ctx, clock)) as pages:
        day = pages.get(diary_path(ctx, ALICE, contract_id, now=clock.now))
        week = pages.get(diary_path(ctx, ALICE, contract_id, now=clock.now) + "?week=2026-W47")
    assert day.status_code == week.status_code == 200
    assert "Secret plans" not in day.text and "Secret plans" not in week.text
    assert "Apps and windows" in week.text


def test_only_the_two_parties_see_it_and_bad_words_are_answered_with_an_example(ctx, api, clock):
    hire(ctx, NOW - timedelta(days=2), window=True)
    out = io.StringIO()
    carol = Shell(ctx, "carol", out=out, channel="#work", clock=clock)
    carol.handle("/apps @bob")
    alice = Shell(ctx, "alice", out=out, channel="#work", clock=clock)
    alice.handle("/apps 2026-W99")
    alice.handle("/apps this last")
    said = out.getvalue()
    assert "You have no contract with bob." in said  # carol is party to none of bob's contracts
    assert '"2026-W99" is not a week' in said and "e.g. /apps last" in said
    assert "Name one week: /apps [this|last|2026-W47] [@user], e.g. /apps last @bob." in said


def test_the_export_carries_the_weeks_apps_and_titles(ctx, api, clock):
    hire(ctx, NOW - timedelta(days=2), window=True)
    token = pair_agent(ctx, NOW)
    session_id = clock_in(ctx, NOW)
    clock.advance(minutes=20)
    meta = per_minute(*[CODE] * 6, *[FIREFOX] * 4)
    assert upload(api, token, Slot(session_id, NOW, extra=meta)).status_code == 201
    table = list(csv.DictReader(io.StringIO(export_week(ctx, "2026-W47", now=clock.now))))
    total = next(row for row in table if row["day"] == "total")
    assert total["apps"] == "code 0.10 h (60%); firefox 0.07 h (40%)"
    assert total["window_titles"] == "code — main.py — tally 0.10 h (60%); firefox — Pull request #12 0.07 h (40%)"
    assert all(row["apps"] == "" for row in table if row["day"] != "total")

