"""A small world for the API and page tests: a contract between alice (client) and bob
(freelancer), bob's paired agent, and real screenshots."""

import functools
import io
import json
import random
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from decimal import Decimal

import httpx
from fastapi import FastAPI
from fastapi.testclient import TestClient
from PIL import Image

from bot.http_app import create_app
from bot.services import contracts, devices, sessions
from bot.services.actors import Actor, UserRef
from bot.services.context import Context
from bot.settings import Settings
from diary.contract_terms import Terms
from diary.protocol import PairRequest

ALICE = Actor("shell", "local", "alice", "alice", "#work")
BOB = Actor("shell", "local", "bob", "bob", "#work")
CAROL = Actor("shell", "local", "carol", "carol", "#other")
API = "/api/v1/agent"


@dataclass
class Clock:
    """The app's clock in tests: it says what it is told."""

    now: datetime

    def __call__(self) -> datetime:
        return self.now

    def advance(self, **delta: float) -> None:
        self.now += timedelta(**delta)


def make_app(ctx: Context, clock: Clock) -> FastAPI:
    app = create_app(ctx, Settings(_env_file=None))
    app.state.clock = clock
    return app


@contextmanager
def client_for(ctx: Context, clock: Clock, *, raise_server_exceptions: bool = True) -> Iterator[TestClient]:
    app = make_app(ctx, clock)
    with TestClient(app, client=("203.0.113.7", 50000), raise_server_exceptions=raise_server_exceptions) as client:
        yield client


def hire(ctx: Context, now: datetime, client: Actor = ALICE, freelancer: Actor = BOB, **terms) -> int:
    card = contracts.create(ctx, client, UserRef(freelancer.user, freelancer.name),
                            Terms(rate=Decimal("40"), title="Website", **terms), now=now)
    return card.id


def pair_agent(ctx: Context, now: datetime, freelancer: Actor = BOB) -> str:
    code = devices.issue_code(ctx, freelancer, now=now).code
    return devices.pair(ctx, PairRequest(code=code, device_name="laptop"), now=now).token


def clock_in(ctx: Context, now: datetime, freelancer: Actor = BOB, memo: str = "landing page") -> int:
    sessions.clock_in(ctx, freelancer, memo=memo, now=now)
    return devices.state(ctx, _device_of(ctx, freelancer), now=now).session_id


def _device_of(ctx: Context, freelancer: Actor):
    from bot.services.actors import resolve
    from storage import repo

    with ctx.unit() as s:
        _, me = resolve(s, freelancer)
        return repo.unrevoked_devices_of(s, member_id=me.id)[0]


@functools.cache  # the same picture every time, made once
def screenshot(kind: str = "WEBP", size: tuple[int, int] = (640, 400), seed: int = 1) -> bytes:
    """A picture that looks a little like a desktop: panels of flat colour with some noise."""
    rng = random.Random(seed)
    picture = Image.new("RGB", size, (rng.randrange(256), rng.randrange(256), rng.randrange(256)))
    for _ in range(12):
        x, y = rng.randrange(size[0]), rng.randrange(size[1])
        colour = (rng.randrange(256), rng.randrange(256), rng.randrange(256))
        picture.paste(colour, (x, y, min(size[0], x + rng.randrange(40, 300)), min(size[1], y + rng.randrange(20, 200))))
    out = io.BytesIO()
    picture.save(out, kind)
    return out.getvalue()


@dataclass
class Slot:
    session_id: int
    start: datetime
    active: int = 7
    screenshot_at: datetime | None = None
    memo: str | None = None
    extra: dict = field(default_factory=dict)

    def meta(self) -> str:
        minutes = [{"keys": 5, "mouse": 9} if i < self.active else {"keys": 0, "mouse": 0} for i in range(10)]
        at = self.screenshot_at or self.start + timedelta(minutes=4)
        body = {"session_id": self.session_id, "slot_start": self.start.isoformat(), "minutes": minutes,
                "screenshot_at": at.isoformat(), "memo": self.memo, "agent_version": "test", **self.extra}
        return json.dumps(body)


def upload(client: TestClient, token: str, slot: Slot, image: bytes | None = None) -> httpx.Response:
    files = {"meta": (None, slot.meta(), "application/json")}
    files["screenshot"] = ("shot.webp", screenshot() if image is None else image, "image/webp")
    return client.post(f"{API}/slots", files=files, headers=bearer(token))


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}
