"""One pairing code pairs one device, also when several requests bring it at the same instant."""

import threading
from concurrent.futures import ThreadPoolExecutor

from sqlmodel import select

from bot.services import devices
from storage.tables import Device
from tests.api.conftest import NOW
from tests.api.world import API, BOB, hire

TRIES = 6


def test_six_concurrent_pairings_with_one_code_give_one_device(ctx, api):
    hire(ctx, NOW)
    code = devices.issue_code(ctx, BOB, now=NOW).code
    start = threading.Barrier(TRIES)

    def pair(i: int):
        start.wait()
        return api.post(f"{API}/pair", json={"code": code, "device_name": f"laptop {i}"})

    with ThreadPoolExecutor(TRIES) as pool:
        answers = list(pool.map(pair, range(TRIES)))
    statuses = sorted(a.status_code for a in answers)
    assert statuses == [201] + [404] * (TRIES - 1), [a.text for a in answers]
    with ctx.unit() as s:
        assert len(s.exec(select(Device)).all()) == 1
