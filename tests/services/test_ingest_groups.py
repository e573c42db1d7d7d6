"""Uploads recorded in groups (one transaction each): every upload gets its own answer, one bad
upload never costs the others theirs, and no slot is ever recorded without its screenshot."""

import hashlib
import io
from datetime import timedelta

import pytest
from PIL import Image as Picture
from sqlmodel import select

from bot.services import devices, images, ingest
from bot.services.ingest import Upload
from diary.protocol import PairRequest, SlotAccepted
from diary.refusal import Refusal
from storage.blobs import FolderBlobs
from storage.tables import Device, Screenshot, Slot, WorkSession
from tests.conftest import utc
from tests.services.helpers import (
    ALICE,
    BOB,
    CAROL,
    hire,
    report,
    running_session_id,
    slots,
)

MON = utc(2026, 11, 16, 10)
LATER = MON + timedelta(hours=2)  # when the uploads arrive: after every slot they describe


def _token(ctx, freelancer) -> str:
    code = devices.issue_code(ctx, freelancer, now=MON).code
    return devices.pair(ctx, PairRequest(code=code, device_name="laptop"), now=MON).token


@pytest.fixture
def bob(ctx):
    """bob's device token and his running session."""
    from bot.services import sessions

    hire(ctx, MON)
    token = _token(ctx, BOB)
    sessions.clock_in(ctx, BOB, now=MON)
    return token, running_session_id(ctx)


def _shot(seed: int) -> images.Image:
    out = io.BytesIO()
    Picture.new("RGB", (64, 40), (seed % 256, 80, 160)).save(out, "PNG")
    return images.inspect(out.getvalue())


def _upload(token, sid, slot: int, **kw) -> Upload:
    """The agent's report of the slot `slot` x 10 minutes after MON, with a screenshot of its own."""
    return Upload(report(sid, MON + timedelta(minutes=10 * slot), **kw), _shot(slot), LATER, token=token)


def _screenshots(ctx) -> list[Screenshot]:
    with ctx.unit() as s:
        return list(s.exec(select(Screenshot)))


def test_a_group_records_its_good_uploads_and_refuses_only_the_bad_ones(ctx, bob):
    token, sid = bob
    hire(ctx, MON, client=ALICE, freelancer=CAROL)
    carol = _token(ctx, CAROL)
    group = [
        _upload(token, sid, 0),
        _upload("no such token", sid, 1),  # unknown device
        _upload(carol, sid, 2),  # a device of someone else than the session's freelancer
        _upload(token, sid, 3, shot_after=700),  # screenshot outside its slot
        _upload(token, sid, 4),
    ]
    answers = ingest.record_uploads(ctx, group)
    assert [type(a) for a in answers] == [SlotAccepted, Refusal, Refusal, Refusal, SlotAccepted]
    assert [getattr(a, "code", None) for a in answers] == [None, "unauthorized", "not_found", "invalid", None]
    assert [s.start for s in slots(ctx)] == [MON, MON + timedelta(minutes=40)]
    assert [a.id for a in answers if isinstance(a, SlotAccepted)] == [s.id for s in slots(ctx)]
    assert len(_screenshots(ctx)) == 2


def test_each_new_slot_is_answered_with_its_own_id_and_count(ctx, bob):
    token, sid = bob
    answers = ingest.record_uploads(ctx, [_upload(token, sid, n, active=n + 1) for n in range(5)])
    by_start = {s.start: s for s in slots(ctx)}
    for n, answer in enumerate(answers):
        row = by_start[answer.slot_start]
        assert (answer.id, row.active_minutes, answer.duplicate, answer.counted_minutes) == (row.id, n + 1, False, 10)


def test_the_same_slot_twice_in_one_group_is_stored_once(ctx, bob):
    token, sid = bob
    first, again, different = ingest.record_uploads(ctx, [
        _upload(token, sid, 0), _upload(token, sid, 0), _upload(token, sid, 0, active=2)])
    assert (first.duplicate, again.duplicate, again.id) == (False, True, first.id)
    assert different.code == "conflict"
    assert len(slots(ctx)) == 1 and len(_screenshots(ctx)) == 1


def test_a_slot_from_an_earlier_group_is_a_repeat_in_a_later_one(ctx, bob):
    token, sid = bob
    (first,) = ingest.record_uploads(ctx, [_upload(token, sid, 0)])
    again, new = ingest.record_uploads(ctx, [_upload(token, sid, 0), _upload(token, sid, 1)])
    assert (again.id, again.duplicate, new.duplicate) == (first.id, True, False)
    assert len(slots(ctx)) == 2


def test_a_revoked_device_is_refused_within_the_group_at_once(ctx, bob):
    """...for slots recorded after its revocation; those recorded before still arrive (no lost work)."""
    token, sid = bob
    devices.revoke(ctx, devices.authenticate(ctx, token, now=MON).id, now=MON + timedelta(minutes=5))
    before, after = ingest.record_uploads(ctx, [_upload(token, sid, 0), _upload(token, sid, 1)])
    assert isinstance(before, SlotAccepted) and after.code == "revoked"
    assert [s.start for s in slots(ctx)] == [MON]


def test_each_upload_is_judged_at_its_own_arrival(ctx, bob):
    token, sid = bob
    monday_noon = utc(2026, 11, 23, 12)  # the edit deadline of the week of MON
    before = Upload(report(sid, MON), None, monday_noon - timedelta(seconds=1), token=token)
    after = Upload(report(sid, MON + timedelta(minutes=10)), None, monday_noon, token=token)
    early, late = ingest.record_uploads(ctx, [before, after])
    assert (early.late, late.late) == (False, True)


class OneBadKey(FolderBlobs):
    """A real folder store whose disk refuses one file: as if it filled up just then."""

    def __init__(self, root, bad_start: str):
        super().__init__(root)
        self.bad_start = bad_start

    def put(self, key, data, content_type):
        if self.bad_start in key:
            raise OSError("No space left on device")
        super().put(key, data, content_type)


def test_a_screenshot_that_cannot_be_stored_fails_only_its_own_upload(ctx, bob, tmp_path):
    token, sid = bob
    ctx.blobs = OneBadKey(tmp_path / "shots", bad_start="/16/102000-")  # the 10:20 slot
    answers = ingest.record_uploads(ctx, [_upload(token, sid, n) for n in range(4)])
    assert isinstance(answers[2], OSError)
    assert [type(a) for i, a in enumerate(answers) if i != 2] == [SlotAccepted] * 3
    assert MON + timedelta(minutes=20) not in {s.start for s in slots(ctx)}
    for shot in _screenshots(ctx):  # every recorded slot has its screenshot, byte for byte
        assert hashlib.sha256(ctx.blobs.get(shot.blob_key)).hexdigest() == shot.sha256


class WatchingStore(FolderBlobs):
    """Looks into the database while it stores: the slots must not be there yet."""

    def __init__(self, root, ctx):
        super().__init__(root)
        self.ctx, self.rows_seen = ctx, []

    def put(self, key, data, content_type):
        with self.ctx.unit() as s:
            self.rows_seen.append(len(s.exec(select(Slot)).all()))
        super().put(key, data, content_type)


def test_screenshots_are_stored_before_their_rows_are_committed(ctx, bob, tmp_path):
    token, sid = bob
    ctx.blobs = WatchingStore(tmp_path / "shots", ctx)
    ingest.record_uploads(ctx, [_upload(token, sid, n) for n in range(3)])
    assert ctx.blobs.rows_seen == [0] * 6 and len(slots(ctx)) == 3  # each screenshot and its thumbnail
    assert all(ctx.blobs.get(shot.blob_key) for shot in _screenshots(ctx))


def test_the_session_and_the_device_are_marked_with_the_groups_arrival(ctx, bob):
    token, sid = bob
    ingest.record_uploads(ctx, [_upload(token, sid, n) for n in range(2)])
    ingest.record_uploads(ctx, [_upload(token, sid, 0)])  # a repeat changes neither
    with ctx.unit() as s:
        assert s.get(WorkSession, sid).last_report_at == LATER
        assert s.exec(select(Device.last_seen_at)).one() == LATER
