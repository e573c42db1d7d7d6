"""What the tracker window reads from and asks of the server: the week so far, the contracts to
pick from, a diary link, and deleting an uploaded slot until the edit deadline."""

from datetime import timedelta

from bot.services import views
from tests.api.conftest import NOW
from tests.api.world import ALICE, API, BOB, CAROL, Slot, bearer, clock_in, hire, pair_agent, upload


def _state(api, token: str) -> dict:
    return api.get(f"{API}/state", headers=bearer(token)).json()


def test_the_state_carries_the_week_against_the_limit_and_a_diary_link(ctx, api, clock):

    hire(ctx, NOW - timedelta(days=2), limit_hours=2, min_hours=1)
    token = pair_agent(ctx, NOW)
    session_id = clock_in(ctx, NOW)
    clock.advance(minutes=30)
    for i in range(2):
        assert upload(api, token, Slot(session_id, NOW + timedelta(minutes=10 * i))).status_code == 201
    body = _state(api, token)
    assert body["week"] == {"tracked": 20, "today": 20, "limit": 120, "minimum": 60}
    assert body["contracts"] == [{"id": body["contract"]["id"], "title": "Website"}]
    assert body["diary_url"].startswith(ctx.public_url + "/diary/")
    assert api.get(body["diary_url"].removeprefix(ctx.public_url)).status_code == 200


def test_an_agent_not_tracking_still_gets_its_contracts_but_no_week(ctx, api, agent):
    body = _state(api, agent)
    assert body["tracking"] is False and body["week"] is None and [c["title"] for c in body["contracts"]] == ["Website"]


def test_deleting_an_uploaded_slot_takes_its_time_and_screenshot(ctx, api, agent, session_id, clock):
    clock.advance(minutes=30)
    for i in range(2):
        assert upload(api, agent, Slot(session_id, NOW + timedelta(minutes=10 * i))).status_code == 201
    answer = api.delete(f"{API}/slots/{NOW.isoformat()}", headers=bearer(agent))
    assert answer.status_code == 200 and "its time" in answer.json()["message"]
    assert _state(api, agent)["week"]["tracked"] == 10
    day = views.day_diary(ctx, BOB, now=clock.now)
    assert [c.start for r in day.rows for c in r.cells if c.counted] == [NOW + timedelta(minutes=10)]
    again = api.delete(f"{API}/slots/{NOW.isoformat()}", headers=bearer(agent))
    assert again.status_code == 404 and again.json()["error"] == "not_found"
    # The agent's re-send of a deleted slot does not bring its time back.
    upload(api, agent, Slot(session_id, NOW))
    assert _state(api, agent)["week"]["tracked"] == 10


def test_a_slot_cannot_be_deleted_after_the_edit_deadline(ctx, api, agent, session_id, clock):
    clock.advance(minutes=30)
    assert upload(api, agent, Slot(session_id, NOW)).status_code == 201
    clock.advance(days=12)  # past the Monday noon after the week
    answer = api.delete(f"{API}/slots/{NOW.isoformat()}", headers=bearer(agent))
    assert answer.status_code == 422 and "closed for edits" in answer.json()["detail"]


def test_deleting_needs_a_token_an_offset_and_ones_own_slot(ctx, api, agent, session_id, clock):

    clock.advance(minutes=30)
    assert upload(api, agent, Slot(session_id, NOW)).status_code == 201
    assert api.delete(f"{API}/slots/{NOW.isoformat()}").status_code == 401
    naive = api.delete(f"{API}/slots/2026-11-18T10:00:00", headers=bearer(agent))
    assert naive.status_code == 422 and "UTC offset" in naive.json()["detail"]
    assert api.delete(f"{API}/slots/yesterday", headers=bearer(agent)).status_code == 422
    hire(ctx, NOW, freelancer=CAROL)
    other = pair_agent(ctx, NOW, freelancer=CAROL)
    assert api.delete(f"{API}/slots/{NOW.isoformat()}", headers=bearer(other)).status_code == 404
    assert _state(api, agent)["week"]["tracked"] == 10


def _event(api, token: str, kind: str, at) -> dict:
    answer = api.post(f"{API}/events", json={"kind": kind, "at": at.isoformat()}, headers=bearer(token))
    assert answer.status_code == 200, answer.text
    return answer.json()


def test_private_time_shows_as_private_to_the_freelancer_and_as_a_gap_to_the_client(ctx, api, agent, session_id, clock):
    clock.advance(minutes=50)
    assert upload(api, agent, Slot(session_id, NOW)).status_code == 201
    assert "records nothing" in _event(api, agent, "private_on", NOW + timedelta(minutes=10))["message"]
    assert _state(api, agent)["private"] is True and _state(api, agent)["tracking"] is True
    _event(api, agent, "private_off", NOW + timedelta(minutes=30))
    assert _state(api, agent)["private"] is False
    assert upload(api, agent, Slot(session_id, NOW + timedelta(minutes=30))).status_code == 201

    mine = views.day_diary(ctx, BOB, now=clock.now)
    cells = {c.start.isoformat(): c for r in mine.rows for c in r.cells}
    assert [c.start.minute for c in cells.values() if c.private] == [10, 20]
    assert mine.counted_minutes == 20  # the private time is not in the diary, and not billed
    theirs = views.day_diary(ctx, ALICE, now=clock.now)
    assert not any(c.private for r in theirs.rows for c in r.cells)
    assert theirs.counted_minutes == 20


def test_private_in_chat_reaches_the_agent_and_switching_twice_changes_nothing(ctx, api, agent, session_id):
    from bot.services import private_mode

    assert "records nothing" in private_mode.from_chat(ctx, BOB, "on", now=NOW).text
    assert private_mode.from_chat(ctx, BOB, "ON", now=NOW).text == "Private mode is already on."
    assert _state(api, agent)["private"] is True
    assert private_mode.from_chat(ctx, BOB, "off", now=NOW).text.startswith("Private mode off")
    assert _state(api, agent)["private"] is False


def test_a_private_app_slot_keeps_no_window_and_is_marked_for_both_parties(ctx, api, clock):
    hire(ctx, NOW - timedelta(days=2), window=True)
    token = pair_agent(ctx, NOW)
    session_id = clock_in(ctx, NOW)
    clock.advance(minutes=30)
    extra = {"window": {"app": "firefox", "title": "Online Banking"}, "private_app": True}
    assert upload(api, token, Slot(session_id, NOW, extra=extra)).status_code == 201
    plain = {"window": {"app": "firefox", "title": "Pull request #12"}}
    assert upload(api, token, Slot(session_id, NOW + timedelta(minutes=10), extra=plain)).status_code == 201
    for viewer in (BOB, ALICE):
        cells = [c for r in views.day_diary(ctx, viewer, now=clock.now).rows for c in r.cells if c.slot_id]
        assert [(c.private_app, c.counted) for c in cells] == [(True, 10), (False, 10)]
    with ctx.unit() as s:
        from sqlmodel import select

        from storage.tables import Slot as SlotRow

        rows = list(s.exec(select(SlotRow).order_by(SlotRow.start)))
        assert [(r.window_title, r.private_app) for r in rows] == [(None, True), ("Pull request #12", False)]
