"""Benchmark: the outbox dispatcher against a fake Slack that allows one message a second per channel.

The fake Web API answers chat.postMessage after a little latency; a message that reaches a channel
less than a second after the one before it is counted as a violation and refused with 429 and
Retry-After, as Slack would. Messages go through the real Slack sender (slack_sdk), so this measures
what `tally worker` does: the send rate, violations (must be 0) and how busy each channel was kept.

    python bench/dispatch_bench.py                        # 200 channels x 10 messages, SQLite
    python bench/dispatch_bench.py --channels 500 --per-channel 6 --url postgresql+psycopg://...
"""

import argparse
import asyncio
import random
import statistics
import sys
import tempfile
import time
import uuid
from datetime import UTC, datetime
from pathlib import Path

import aiohttp
from aiohttp import web
from slack_sdk.web.async_client import AsyncWebClient
from sqlalchemy import insert, select, text

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bot.outbox_dispatcher import Dispatcher  # noqa: E402
from bot.services.context import Context  # noqa: E402
from bot.slack.sender import SlackSender  # noqa: E402
from storage.blobs import FolderBlobs  # noqa: E402
from storage.engine import make_engine  # noqa: E402
from storage.migrate import upgrade  # noqa: E402
from storage.tables import Outbox, Workspace  # noqa: E402

GAP = 1.0  # seconds Slack wants between two messages to one channel


class FakeSlack:
    def __init__(self, latency: tuple[float, float], rng: random.Random) -> None:
        self.latency, self.rng = latency, rng
        self.arrivals: dict[str, list[float]] = {}
        self.violations = 0

    async def post_message(self, request: web.Request) -> web.Response:
        body = await request.json()
        channel, now = body["channel"], time.monotonic()
        accepted = self.arrivals.setdefault(channel, [])
        if accepted and now - accepted[-1] < GAP:
            self.violations += 1
            return web.json_response({"ok": False, "error": "ratelimited"}, status=429, headers={"Retry-After": "1"})
        accepted.append(now)
        await asyncio.sleep(self.rng.uniform(*self.latency))
        return web.json_response({"ok": True, "channel": channel, "ts": f"{now:.6f}"})


def engine_for(url: str | None, folder: Path):
    if url is None:
        return make_engine(f"sqlite:///{folder / 'bench.sqlite3'}"), None
    schema = f"bench_{uuid.uuid4().hex[:10]}"
    admin = make_engine(url)
    with admin.begin() as conn:
        conn.execute(text(f"CREATE SCHEMA {schema}"))
    separator = "&" if "?" in url else "?"
    return make_engine(f"{url}{separator}options=-csearch_path%3D{schema}"), (admin, schema)


def queue(engine, channels: int, per_channel: int, workspaces: int) -> int:
    """Messages queued in the order a burst would write them: every channel's first, then second, ..."""
    now = datetime.now(UTC)
    with engine.begin() as conn:
        conn.execute(insert(Workspace), [{"platform": "slack", "external_id": f"T{w}", "name": f"team {w}"} for w in range(workspaces)])
        ws_ids = [row[0] for row in conn.execute(select(Workspace.id).order_by(Workspace.id))]
        rows = [{"dedupe_key": f"bench:{c}:{n}", "platform": "slack", "workspace_id": ws_ids[c % workspaces],
                 "channel": f"C{c}", "kind": "bench", "payload": {"text": f"message {n} to C{c}"}, "status": "pending",
                 "attempts": 0, "next_attempt_at": now, "created_at": now}
                for n in range(per_channel) for c in range(channels)]
        conn.execute(insert(Outbox), rows)
    return len(rows)


async def dispatch(ctx: Context, api_url: str, total: int, max_in_flight: int, fresh: bool) -> float:
    # One HTTP session for all requests; without one, slack_sdk connects anew for every message.
    session = None if fresh else aiohttp.ClientSession()
    client = AsyncWebClient(token="xoxb-bench", base_url=api_url, session=session)
    dispatcher = Dispatcher(ctx, [SlackSender(client, ctx.blobs)], max_in_flight=max_in_flight)
    stop = asyncio.Event()
    began = time.monotonic()
    running = asyncio.create_task(dispatcher.run(stop, poll=0.2))
    while await asyncio.to_thread(sent_count, ctx) < total:
        await asyncio.sleep(0.2)
    took = time.monotonic() - began
    stop.set()
    await running
    if session is not None:
        await session.close()
    return took


def sent_count(ctx: Context) -> int:
    with ctx.engine.connect() as conn:
        return conn.execute(text("SELECT count(*) FROM outbox WHERE status = 'sent'")).scalar_one()


async def main_async(args) -> None:
    fake = FakeSlack((args.latency_ms[0] / 1000, args.latency_ms[1] / 1000), random.Random(1))
    app = web.Application()
    app.router.add_post("/api/chat.postMessage", fake.post_message)
    runner = web.AppRunner(app)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    port = site._server.sockets[0].getsockname()[1]
    with tempfile.TemporaryDirectory() as folder:
        engine, cleanup = engine_for(args.url, Path(folder))
        try:
            upgrade(engine)
            total = queue(engine, args.channels, args.per_channel, args.workspaces)
            ctx = Context(engine=engine, blobs=FolderBlobs(Path(folder) / "blobs"))
            took = await dispatch(ctx, f"http://127.0.0.1:{port}/api/", total, args.max_in_flight, args.fresh_connections)
            report(fake, engine.dialect.name, args, total, took)
        finally:
            engine.dispose()
            await runner.cleanup()
            if cleanup:
                with cleanup[0].begin() as conn:
                    conn.execute(text(f"DROP SCHEMA {cleanup[1]} CASCADE"))


def report(fake: FakeSlack, dialect: str, args, total: int, took: float) -> None:
    gaps = [b - a for times in fake.arrivals.values() for a, b in zip(times, times[1:])]
    # A channel kept busy sends its next message as soon as Slack allows: one a second.
    busy = [(len(times) - 1) / (times[-1] - times[0]) for times in fake.arrivals.values() if len(times) > 1]
    ideal = args.per_channel - 1
    print(f"{dialect}: {total} messages to {args.channels} channels in {args.workspaces} workspaces "
          f"({args.per_channel} per channel), latency {args.latency_ms[0]}-{args.latency_ms[1]} ms"
          + (", a new connection per message" if args.fresh_connections else ""))
    print(f"sent all in {took:.1f} s = {total / took:.0f} messages/s (a channel's floor is {ideal} s)")
    print(f"violations of 1 msg/s per channel: {fake.violations}; smallest gap {min(gaps):.3f} s, median {statistics.median(gaps):.3f} s")
    print(f"per-channel rate: min {min(busy):.2f}, median {statistics.median(busy):.2f}, max {max(busy):.2f} msg/s")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--url", help="a PostgreSQL URL; the benchmark works in a schema of its own and drops it")
    parser.add_argument("--channels", type=int, default=200)
    parser.add_argument("--per-channel", type=int, default=10)
    parser.add_argument("--workspaces", type=int, default=20)
    parser.add_argument("--max-in-flight", type=int, default=64)
    parser.add_argument("--fresh-connections", action="store_true", help="no shared HTTP session: a connection per message")
    parser.add_argument("--latency-ms", type=int, nargs=2, default=(20, 80))
    asyncio.run(main_async(parser.parse_args()))


if __name__ == "__main__":
    main()
