"""The worked examples of docs/rules.md about sessions, memos, idle, who may do what, contracts and privacy."""

import io
import random
from dataclasses import replace
from datetime import timedelta
from decimal import Decimal

from PIL import Image as Picture
from sqlmodel import select

from agent.slotclock import SlotClock
from agent.wire import ServerState
from bot.services import agent_events, alerts, contracts, devices, diary_pages, images, ingest, links, retention, sessions, views, workspaces
from bot.services.results import ClockedIn, ContractCard
from diary.contract_terms import Terms
from diary.permissions import Action, check
from diary.protocol import AgentEvent, SlotAccepted, SlotReport
from diary.refusal import Refusal
from diary.terms import ContractStatus, Role
from storage.tables import Device, Screenshot, WorkSession
from tests.conftest import utc
from tests.services.helpers import ALICE, BOB, CAROL, hire, outbox, pair_device, person, ref, report, running_session_id, slots

MON = utc(2026, 11, 16, 9)


def test_clocking_in_on_another_contract_ends_the_first_session(ctx):
    """Rule: docs/rules.md#sessions"""
    hire(ctx, MON, title="Site")
    hire(ctx, MON, client=person("alice", "C2"), freelancer=person("bob", "C2"), title="App")
    sessions.clock_in(ctx, BOB, now=MON)
    switched = sessions.clock_in(ctx, person("bob", "C2"), now=MON + timedelta(hours=1))
    assert isinstance(switched, ClockedIn) and (switched.title, switched.switched_from) == ("App", "Site")
    site_out = [m for m in outbox(ctx, "clock") if m.channel == "C1"][-1]
    assert site_out.payload["text"] == "bob clocked out (switched contracts)."
    with ctx.unit() as s:
        ended = s.exec(select(WorkSession).where(WorkSession.contract_id == 1)).one()
    assert ended.ended_at == MON + timedelta(hours=1)


def test_an_agent_silent_for_fifteen_minutes_is_reported_to_the_freelancer_once(ctx):
    """Rule: docs/rules.md#sessions"""
    hire(ctx, MON)
    sessions.clock_in(ctx, BOB, now=MON)
    assert alerts.agent_lost(ctx, now=MON + timedelta(minutes=14)) == 0
    assert alerts.agent_lost(ctx, now=MON + timedelta(minutes=15)) == 1
    assert alerts.agent_lost(ctx, now=MON + timedelta(minutes=30)) == 0
    [told] = outbox(ctx, "agent_lost")
    assert told.channel == "@U-bob" and "Time without reports is not counted" in told.payload["text"]


class _Busy:
    """An input source somebody keeps using: every look shows one more key press."""

    def __init__(self) -> None:
        self._keys = 0
        self.mouse = 0

    @property
    def keys(self) -> int:
        self._keys += 1
        return self._keys


class _Sink:
    def __init__(self) -> None:
        self.finished = []

    def save_open(self, slot, screenshot=None) -> None:
        pass

    def finish(self, slot, not_before) -> None:
        self.finished.append(slot)

    def add_event(self, body, not_before) -> None:
        pass


def test_each_slot_keeps_the_memo_current_when_it_was_recorded():
    """Rule: docs/rules.md#memos"""
    sink = _Sink()
    clock = SlotClock(_Busy(), sink, lambda mode: b"jpeg", lambda: None, rng=random.Random(7))
    state = ServerState(tracking=True, session_id=1, contract="Site", memo="login page")
    clock.start(state, MON)
    now = MON
    while (wake := clock.next_wake(now)) <= MON + timedelta(minutes=40):
        if now < MON + timedelta(minutes=25) <= wake:
            clock.update(ServerState(tracking=True, session_id=1, contract="Site", memo="code review"))
        now = wake
        clock.tick(now)
    assert [(slot.start.minute, slot.memo) for slot in sink.finished] == [
        (0, "login page"), (10, "login page"), (20, "code review"), (30, "code review")]


def test_an_idle_stop_ends_the_session_when_the_agent_stopped_and_keeps_the_idle_minutes(ctx):
    """Rule: docs/rules.md#idle"""
    hire(ctx, MON)
    device = pair_device(ctx, BOB, MON)
    sessions.clock_in(ctx, BOB, now=utc(2026, 11, 16, 10))
    sid = running_session_id(ctx)
    ingest.record_slot(ctx, device, report(sid, utc(2026, 11, 16, 10, 10), active=5), None, now=utc(2026, 11, 16, 10, 20))
    ingest.record_slot(ctx, device, report(sid, utc(2026, 11, 16, 10, 20), shot_after=60, active=0), None, now=utc(2026, 11, 16, 10, 25))
    stopped = utc(2026, 11, 16, 10, 25)
    assert agent_events.handle(ctx, device, AgentEvent(kind="idle_stop", at=stopped), now=stopped + timedelta(minutes=1)).ok
    with ctx.unit() as s:
        ended = s.get(WorkSession, sid)
    assert (ended.ended_at, ended.end_reason) == (stopped, "idle")
    [told] = outbox(ctx, "idle")
    assert told.channel == "@U-bob" and told.payload["text"].startswith(
        "You were idle, so I clocked you out at 10:25 (UTC). The idle minutes stay in your diary with activity 0; you may delete them.")
    assert [(x.active_minutes, x.deleted_at) for x in slots(ctx)] == [(5, None), (0, None)]


def test_each_party_does_only_their_part_and_strangers_nothing(ctx):
    """Rule: docs/rules.md#who-may-do-what"""
    assert check(Role.CLIENT, Action.CLOCK).message == "Only the freelancer of this contract can clock in and out on it."
    assert check(Role.FREELANCER, Action.APPROVE).message == "Only the client of this contract can approve its hours."
    assert check(Role.NONE, Action.VIEW).message == "You are not a party to this contract."
    hire(ctx, MON)
    assert sessions.clock_in(ctx, ALICE, now=MON).message == "Only the freelancer of this contract can clock in and out on it."
    refused = views.timesheet(ctx, CAROL, now=MON, other=ref(BOB))
    assert isinstance(refused, Refusal) and outbox(ctx, "clock") == []
    assert workspaces.set_summary_channel(ctx, CAROL, now=MON).code == "forbidden"
    assert "will be posted in" in workspaces.set_summary_channel(ctx, replace(CAROL, admin=True), now=MON).text


def test_contract_terms_are_checked_and_an_ended_contract_stays_ended(ctx):
    """Rule: docs/rules.md#contracts"""
    refused = contracts.create(ctx, ALICE, ref(BOB), Terms(rate=Decimal("0")), now=MON)
    assert refused.message == "The hourly rate must be above 0 and at most 10000, e.g. rate=40."
    assert isinstance(contracts.show(ctx, ALICE), Refusal)  # nothing was created
    card = contracts.create(ctx, ALICE, ref(BOB), Terms(rate=Decimal("40")), now=MON)
    assert isinstance(card, ContractCard) and card.channel == "C1"
    contracts.set_status(ctx, ALICE, ContractStatus.ENDED, now=MON)
    resumed = contracts.set_status(ctx, ALICE, ContractStatus.ACTIVE, now=MON, contract_id=card.id)
    assert isinstance(resumed, Refusal) and "cannot be resumed" in resumed.message


def test_only_counts_are_kept_of_input_and_a_changed_diary_link_opens_nothing(ctx):
    """Rule: docs/rules.md#privacy"""
    hire(ctx, MON)
    device = pair_device(ctx, BOB, MON)
    sessions.clock_in(ctx, BOB, now=MON)
    minute = {"keys": 3, "mouse": 5, "text": "hunter2", "x": 640, "y": 480}
    sent = SlotReport.model_validate({"session_id": running_session_id(ctx), "slot_start": MON.isoformat(),
                                      "minutes": [minute] * 10, "screenshot_at": (MON + timedelta(minutes=4)).isoformat()})
    ingest.record_slot(ctx, device, sent, None, now=MON + timedelta(minutes=10))
    assert slots(ctx)[0].minutes == [[3, 5]] * 10
    token = links.diary_link(ctx, BOB, 1, now=MON).url.rsplit("/", 1)[1]
    assert diary_pages.open_link(ctx, token, now=MON).role == Role.FREELANCER
    changed = token[:-1] + ("A" if token[-1] != "A" else "B")
    assert diary_pages.open_link(ctx, changed, now=MON) == diary_pages.BAD_LINK
    assert diary_pages.open_link(ctx, token, now=MON + timedelta(hours=24)) == diary_pages.BAD_LINK


def _picture() -> images.Image:
    out = io.BytesIO()
    Picture.new("RGB", (64, 36), (30, 90, 150)).save(out, format="PNG")
    return images.inspect(out.getvalue())


def test_old_screenshots_are_deleted_and_their_time_stays(ctx):
    """Rule: docs/rules.md#screenshot-retention"""
    hire(ctx, MON)
    device = pair_device(ctx, BOB, MON)
    ten = utc(2026, 11, 16, 10)
    sessions.clock_in(ctx, BOB, now=ten)
    ingest.record_slot(ctx, device, report(running_session_id(ctx), ten), _picture(), now=ten + timedelta(minutes=10))
    assert retention.delete_old_screenshots(ctx, now=utc(2026, 12, 16, 3, 30), days=30) == 0
    assert retention.delete_old_screenshots(ctx, now=utc(2026, 12, 17, 3, 30), days=30) == 1
    with ctx.unit() as s:
        assert s.exec(select(Screenshot)).all() == []
    assert views.day_diary(ctx, BOB, now=ten, day="2026-11-16").counted_minutes == 10


def test_free_text_is_cleaned_and_held_to_its_limit_and_never_costs_a_slot(ctx):
    """Rule: docs/rules.md#free-text"""
    card = contracts.create(ctx, ALICE, ref(BOB), Terms(rate=Decimal("40"), title="Web\x00site"), now=MON)
    assert card.title == "Website"
    device = pair_device(ctx, BOB, MON)
    sessions.clock_in(ctx, BOB, memo="landing page", now=MON)
    refused = sessions.set_memo(ctx, BOB, "x" * 660, now=MON)
    assert refused.message == "A memo is at most 500 characters; yours has 660. Shorten it, e.g. /memo fixing the login page."
    with ctx.unit() as s:
        assert s.exec(select(WorkSession)).one().memo == "landing page"
    sent = SlotReport.model_validate({"session_id": running_session_id(ctx), "slot_start": MON.isoformat(),
                                      "minutes": [{"keys": 1, "mouse": 0}] * 10, "memo": "y" * 900})
    ingest.record_slot(ctx, device, sent, None, now=MON + timedelta(minutes=10))
    assert slots(ctx)[0].memo == "y" * 500


def test_a_slot_deleted_in_the_tracker_window_while_recorded_never_leaves_the_computer(tmp_path):
    """Rule: docs/rules.md#deleting-time"""
    from agent.queue import Queue

    queue = Queue(tmp_path / "queue.sqlite3")
    clock = SlotClock(_Busy(), queue, lambda mode: b"jpeg", lambda: None, rng=random.Random(3))
    twenty = utc(2026, 11, 16, 10, 20)
    clock.start(ServerState(tracking=True, session_id=1, contract="Site", memo="x"), twenty)
    now = twenty
    while (wake := clock.next_wake(now)) <= twenty + timedelta(minutes=4):
        now = wake
        clock.tick(now)
    clock.discard()
    while (wake := clock.next_wake(now)) <= twenty + timedelta(minutes=10):
        now = wake
        clock.tick(now)
    assert queue.head() is None and not queue.holds(1, twenty)
    assert [slot.start for slot in queue.open_slots()] == [twenty + timedelta(minutes=10)]  # the next one goes on


def test_ending_the_last_contract_revokes_the_device_but_its_recorded_slots_still_arrive(ctx):
    """Rule: docs/rules.md#devices"""
    hire(ctx, MON)
    token_device = pair_device(ctx, BOB, MON)
    ten = utc(2026, 11, 16, 10)
    sessions.clock_in(ctx, BOB, now=ten)
    sid = running_session_id(ctx)
    contracts.set_status(ctx, ALICE, ContractStatus.ENDED, now=ten + timedelta(minutes=15))
    assert isinstance(devices.list_devices(ctx, BOB), Refusal)  # none paired any more
    with ctx.unit() as s:
        revoked = s.get(Device, token_device.id)
    assert revoked.revoked_at == ten + timedelta(minutes=15)
    accepted = ingest.record_slot(ctx, revoked, report(sid, ten), None, now=ten + timedelta(minutes=20))
    assert isinstance(accepted, SlotAccepted) and accepted.counted_minutes == 10


def test_private_time_is_in_nobodys_diary_and_shows_as_private_only_to_the_freelancer(ctx):
    """Rule: docs/rules.md#private-mode"""
    from bot.services import private_mode

    hire(ctx, MON)
    device = pair_device(ctx, BOB, MON)
    ten = utc(2026, 11, 16, 10)
    sessions.clock_in(ctx, BOB, now=ten)
    sid = running_session_id(ctx)
    ingest.record_slot(ctx, device, report(sid, ten), None, now=ten + timedelta(minutes=10))
    assert "records nothing" in private_mode.from_chat(ctx, BOB, "on", now=ten + timedelta(minutes=10)).text
    private_mode.from_chat(ctx, BOB, "off", now=ten + timedelta(minutes=30))
    ingest.record_slot(ctx, device, report(sid, ten + timedelta(minutes=30)), None, now=ten + timedelta(minutes=40))
    mine = views.day_diary(ctx, BOB, now=ten + timedelta(minutes=40))
    theirs = views.day_diary(ctx, ALICE, now=ten + timedelta(minutes=40), other=ref(BOB))
    assert [c.start.minute for row in mine.rows for c in row.cells if c.private] == [10, 20]
    assert not any(c.private for row in theirs.rows for c in row.cells)
    assert mine.counted_minutes == theirs.counted_minutes == 20
