"""Slot ingest benchmark: N simulated agents upload real slots to a real server on 127.0.0.1.

For each database it measures, in one run and against one server process:
  * bare    - an endpoint that only reads the same multipart upload and validates its JSON;
  * minimal - the least an honest ingest endpoint does (bench/ingest_app.py): token lookup,
              multipart, validation, image header, sha256, one file, one row, one transaction;
  * ingest  - POST /api/v1/agent/slots: token check, image check, blob write, rows, commit; each
              upload carries the agent's thumbnail, as the real agent's do (the server reads the
              screenshot's header and decodes only the thumbnail);
  * paced   - ingest again at half the rate ingest reached, for the latency people will see;
  * no thumbnail (--older-agents) - ingest as agents from before thumbnails were sent: the server
              decodes each screenshot to make its thumbnail.
It then checks that nothing was lost: slot rows and stored screenshots = 2xx answers.

    python bench/ingest_bench.py --agents 32 --seconds 15 --postgres postgresql+psycopg://USER@HOST/DB

Each database is measured once per server loop (--loops): Python's asyncio with h11, and uvloop
with httptools (uvicorn[standard]) when they are installed, in the same run.

The server runs on one core and the simulated agents on the others (taskset, when there is one).
Besides the rates it reports the server's CPU time per answer (from /proc, all its threads): the
rate depends on what else the machine runs, the CPU per answer far less.
"""

import argparse
import asyncio
import io
import json
import multiprocessing
import os
import random
import shutil
import subprocess
import sys
import tempfile
import time
import uuid
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from pathlib import Path

import httpx
from PIL import Image, ImageDraw

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

SLOT_SECONDS = 10  # short slots give every agent enough distinct slots for a long run
BARE, MINIMAL, SLOTS = "/bench/bare", "/bench/minimal", "/api/v1/agent/slots"
BOUNDARY = "tallybenchboundary"


# ---------------------------------------------------------------- the screenshot every agent sends

def desktop_webp(target: int = 100_000, seed: int = 7) -> bytes:
    """A WebP that compresses like a screen full of text and panels, about `target` bytes."""
    rng = random.Random(seed)
    picture = Image.new("RGB", (1600, 900), (245, 246, 248))
    draw = ImageDraw.Draw(picture)
    for x, y, w, h in ((0, 0, 1600, 40), (0, 40, 260, 860), (1300, 40, 300, 860)):
        draw.rectangle((x, y, x + w, y + h), fill=(rng.randrange(40, 90), rng.randrange(40, 90), rng.randrange(60, 120)))
    words = ["def", "return", "slot", "diary", "contract", "session", "import", "async", "await", "self", "value"]
    for line in range(56):
        text = " ".join(rng.choice(words) for _ in range(rng.randrange(3, 14)))
        draw.text((280 + rng.randrange(0, 80), 52 + line * 15), text, fill=(rng.randrange(0, 120),) * 3)
    return _near(picture, target)


def _near(picture: Image.Image, target: int) -> bytes:
    low, high, best = 5, 100, b""
    while low <= high:  # the highest quality that stays under the target
        quality = (low + high) // 2
        out = io.BytesIO()
        picture.save(out, "WEBP", quality=quality)
        if out.tell() <= target:
            best, low = out.getvalue(), quality + 1
        else:
            high = quality - 1
    return best or out.getvalue()


# ---------------------------------------------------------------- the database the server uses

@dataclass(frozen=True)
class Agent:
    token: str
    session_id: int


def prepare(url: str, data_dir: Path, agents: int, started: datetime) -> list[Agent]:
    """A fresh schema with one client and `agents` freelancers, each paired and clocked in."""
    from bot.services import contracts, devices, sessions
    from bot.services.actors import Actor
    from bot.services.context import Context
    from diary.contract_terms import Terms
    from diary.protocol import PairRequest
    from storage.blobs import FolderBlobs
    from storage.engine import make_engine
    from storage.migrate import upgrade

    engine = make_engine(url)
    upgrade(engine)
    ctx = Context(engine=engine, blobs=FolderBlobs(data_dir / "screenshots"), slot_seconds=SLOT_SECONDS)
    made = []
    for i in range(agents):
        client = Actor("shell", "bench", "client", "client", f"#c{i}")
        freelancer = Actor("shell", "bench", f"agent{i}", f"agent{i}", f"#c{i}")
        contracts.create(ctx, client, freelancer.ref(), Terms(rate=Decimal(40), limit_hours=None), now=started)
        code = devices.issue_code(ctx, freelancer, now=started).code
        token = devices.pair(ctx, PairRequest(code=code, device_name=f"bench {i}"), now=started).token
        sessions.clock_in(ctx, freelancer, memo="benchmark", now=started)
        made.append(Agent(token, session_of(ctx, token, started)))
    engine.dispose()
    return made


def session_of(ctx, token: str, now: datetime) -> int:
    from bot.services import devices

    return devices.state(ctx, devices.authenticate(ctx, token, now=now), now=now).session_id


def count_rows(url: str) -> tuple[int, int]:
    from sqlalchemy import text

    from storage.engine import make_engine

    engine = make_engine(url)
    with engine.connect() as conn:
        slots = conn.execute(text("SELECT count(*) FROM slot")).scalar_one()
        shots = conn.execute(text("SELECT count(*) FROM screenshot")).scalar_one()
    engine.dispose()
    return slots, shots


def postgres_schema(url: str) -> tuple[str, Callable[[], None]]:
    """A throwaway schema on the given server, and how to drop it."""
    from sqlalchemy import text

    from storage.engine import make_engine

    schema, admin = f"ingest_bench_{uuid.uuid4().hex[:10]}", make_engine(url)
    with admin.begin() as conn:
        conn.execute(text(f"CREATE SCHEMA {schema}"))

    def drop() -> None:
        with admin.begin() as conn:
            conn.execute(text(f"DROP SCHEMA {schema} CASCADE"))
        admin.dispose()

    joiner = "&" if "?" in url else "?"
    return f"{url}{joiner}options=-csearch_path%3D{schema}", drop


# ---------------------------------------------------------------- the server

# The event loop and HTTP parser the server runs on: Python's own, and the fast pair
# `uvicorn[standard]` installs on Linux and macOS (what `tally serve` picks when present).
LOOPS = {"asyncio/h11": ["--loop", "asyncio", "--http", "h11"],
         "uvloop/httptools": ["--loop", "uvloop", "--http", "httptools"]}


def start_server(url: str, data_dir: Path, port: int, cpus: list[int], loop: str = "asyncio/h11",
                 extra_env: dict[str, str] | None = None) -> subprocess.Popen:
    path = os.pathsep.join(filter(None, [str(ROOT), os.environ.get("PYTHONPATH")]))
    env = {**os.environ, "BENCH_DATABASE_URL": url, "BENCH_DATA_DIR": str(data_dir),
           "BENCH_SLOT_SECONDS": str(SLOT_SECONDS), "PYTHONPATH": path, **(extra_env or {})}
    command = [sys.executable, "-m", "uvicorn", "bench.ingest_app:build", "--factory", "--host", "127.0.0.1",
               "--port", str(port), "--log-level", "warning", "--no-access-log", *LOOPS[loop]]
    if cpus and shutil.which("taskset"):
        command = ["taskset", "-c", ",".join(map(str, cpus)), *command]
    server = subprocess.Popen(command, cwd=ROOT, env=env)
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        try:
            if httpx.get(f"http://127.0.0.1:{port}/healthz", timeout=1).status_code == 200:
                return server
        except httpx.HTTPError:
            time.sleep(0.1)  # the server is still starting
    server.kill()
    raise RuntimeError("the benchmark server did not start")


def free_port() -> int:
    import socket

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


# ---------------------------------------------------------------- the simulated agents

@dataclass
class Job:
    base: str
    path: str
    agents: list[tuple[str, int, int]]  # token, session id, first slot index
    started: str  # the sessions' start, ISO
    seconds: float
    interval: float | None  # seconds between one agent's uploads; None: as fast as answers come
    image: bytes
    thumbnail: bytes | None  # sent beside the screenshot, as the agent does; None: as an older agent


@dataclass
class Tally:
    statuses: Counter = field(default_factory=Counter)
    latencies: list[float] = field(default_factory=list)
    next_index: list[int] = field(default_factory=list)


def agent_thumbnail(image: bytes) -> bytes:
    """The grid thumbnail the real agent sends beside its screenshot (agent.capture.thumbnail)."""
    from agent.capture import thumbnail

    return thumbnail(image)[0]


def body(session_id: int, start: datetime, image: bytes, thumb: bytes | None = None) -> bytes:
    meta = {"session_id": session_id, "slot_start": start.isoformat(), "agent_version": "bench", "memo": "benchmark",
            "minutes": [{"keys": 31, "mouse": 57}] * 10,
            "screenshot_at": (start + timedelta(seconds=SLOT_SECONDS / 2)).isoformat()}
    head = (f'--{BOUNDARY}\r\nContent-Disposition: form-data; name="meta"\r\nContent-Type: application/json\r\n\r\n'
            f'{json.dumps(meta)}\r\n--{BOUNDARY}\r\nContent-Disposition: form-data; name="screenshot"; '
            f'filename="s.webp"\r\nContent-Type: image/webp\r\n\r\n')
    return head.encode() + image + _thumbnail_part(thumb) + f"\r\n--{BOUNDARY}--\r\n".encode()


def _thumbnail_part(thumb: bytes | None) -> bytes:
    if thumb is None:  # as an agent from before thumbnails were sent
        return b""
    return (f'\r\n--{BOUNDARY}\r\nContent-Disposition: form-data; name="thumbnail"; filename="t.webp"\r\n'
            f'Content-Type: image/webp\r\n\r\n').encode() + thumb


class Connection:
    """One keep-alive HTTP/1.1 connection, spoken directly: a general client such as httpx spends
    about 2 ms of CPU per 100 KB upload, which on a small machine measures the client, not the server."""

    def __init__(self, host: str, port: int) -> None:
        self.host, self.port = host, port
        self.reader: asyncio.StreamReader | None = None
        self.writer: asyncio.StreamWriter | None = None

    async def post(self, path: str, headers: str, payload: bytes) -> int:
        if self.writer is None:
            self.reader, self.writer = await asyncio.open_connection(self.host, self.port)
        head = f"POST {path} HTTP/1.1\r\nHost: {self.host}\r\n{headers}Content-Length: {len(payload)}\r\n\r\n"
        self.writer.write(head.encode() + payload)
        await self.writer.drain()
        status_line = await self.reader.readline()
        length, closing = 0, False
        while (line := await self.reader.readline()) not in (b"\r\n", b""):
            name, _, value = line.decode("latin-1").partition(":")
            length = int(value) if name.lower() == "content-length" else length
            closing = closing or (name.lower() == "connection" and "close" in value.lower())
        await self.reader.readexactly(length)
        if closing:
            await self.close()
        return int(status_line.split()[1])

    async def close(self) -> None:
        if self.writer is not None:
            self.writer.close()
            self.reader = self.writer = None


async def one_agent(job: Job, token: str, session_id: int, index: int, tally: Tally, offset: float) -> int:
    started, end = datetime.fromisoformat(job.started), time.monotonic() + job.seconds
    headers = f"Authorization: Bearer {token}\r\nContent-Type: multipart/form-data; boundary={BOUNDARY}\r\n"
    host, port = job.base.removeprefix("http://").split(":")
    connection, due = Connection(host, int(port)), time.monotonic() + offset
    while time.monotonic() < end:
        if job.interval is not None:
            await asyncio.sleep(max(0.0, due - time.monotonic()))  # keeps the agent to its pace
            due += job.interval
        payload = body(session_id, started + timedelta(seconds=SLOT_SECONDS * index), job.image, job.thumbnail)
        sent = time.perf_counter()
        try:
            tally.statuses[await connection.post(job.path, headers, payload)] += 1
        except (OSError, asyncio.IncompleteReadError, ValueError, IndexError) as error:
            tally.statuses[type(error).__name__] += 1
            await connection.close()
        tally.latencies.append(time.perf_counter() - sent)
        index += 1
    await connection.close()
    return index


async def run_agents(job: Job) -> Tally:
    tally = Tally()
    spread = (job.interval or 0) / max(1, len(job.agents))
    runs = [one_agent(job, token, sid, index, tally, n * spread) for n, (token, sid, index) in enumerate(job.agents)]
    tally.next_index = list(await asyncio.gather(*runs))
    return tally


def worker(job: Job) -> Tally:
    return asyncio.run(run_agents(job))


@dataclass
class Phase:
    name: str
    seconds: float
    statuses: Counter
    latencies: list[float]
    server_cpu: float  # CPU seconds the server process used during the phase (all its threads)

    @property
    def answers(self) -> int:
        return sum(self.statuses.values())

    @property
    def cpu_ms_per_answer(self) -> float:
        return 1000 * self.server_cpu / self.answers if self.answers else float("nan")

    @property
    def ok(self) -> int:
        return sum(n for status, n in self.statuses.items() if isinstance(status, int) and 200 <= status < 300)

    @property
    def rate(self) -> float:
        return self.ok / self.seconds

    def percentile(self, share: float) -> float:
        ordered = sorted(self.latencies)
        return 1000 * ordered[min(len(ordered) - 1, int(share * len(ordered)))] if ordered else float("nan")


@dataclass
class Target:
    """One server under test and the agents that upload to it."""

    pool: object  # a multiprocessing pool of client processes
    base: str
    agents: list[Agent]
    started: datetime
    image: bytes
    processes: int
    server_pid: int
    thumbnail: bytes | None = None

    def phase(self, name: str, path: str, indices: list[int], seconds: float, rate: float | None = None,
              thumbnail: bool = True) -> Phase:
        """All agents upload for `seconds`, as fast as answers come or at `rate` in total; `indices` advance."""
        interval = None if rate is None else len(self.agents) / rate
        groups = [g for g in (list(range(i, len(self.agents), self.processes)) for i in range(self.processes)) if g]
        jobs = [Job(self.base, path, [(self.agents[a].token, self.agents[a].session_id, indices[a]) for a in group],
                    self.started.isoformat(), seconds, interval, self.image, self.thumbnail if thumbnail else None)
                for group in groups]
        statuses, latencies, cpu = Counter(), [], cpu_seconds(self.server_pid)
        for group, tally in zip(groups, self.pool.map(worker, jobs)):
            statuses.update(tally.statuses)
            latencies.extend(tally.latencies)
            for agent, index in zip(group, tally.next_index):
                indices[agent] = index
        return Phase(name, seconds, statuses, latencies, cpu_seconds(self.server_pid) - cpu)


def cpu_seconds(pid: int) -> float:
    """User + system CPU time of a process so far (Linux /proc; NaN elsewhere)."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return float("nan")
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


# ---------------------------------------------------------------- one database, start to end

def bench_database(label: str, url: str, data_dir: Path, args, image: bytes, pool, server_cpus: list[int],
                   loop: str = "asyncio/h11") -> dict:
    started = datetime.now(UTC).replace(microsecond=0) - timedelta(hours=11)
    started -= timedelta(seconds=started.timestamp() % SLOT_SECONDS)
    agents = prepare(url, data_dir, args.agents, started)
    port = free_port()
    server = start_server(url, data_dir, port, server_cpus, loop)
    target = Target(pool, f"http://127.0.0.1:{port}", agents, started, image, args.processes, server.pid, agent_thumbnail(image))
    try:
        bare_indices, indices = [0] * len(agents), [0] * len(agents)  # bare stores nothing: any slot will do
        minimal_indices = [0] * len(agents)  # minimal keeps rows of its own
        target.phase("warm-up", BARE, bare_indices, 2)
        bare = target.phase("bare", BARE, bare_indices, args.seconds)
        minimal = target.phase("minimal", MINIMAL, minimal_indices, args.seconds)
        ingest = target.phase("ingest", SLOTS, indices, args.seconds)
        paced = target.phase("paced", SLOTS, indices, args.seconds, rate=ingest.rate / 2)
        older = target.phase("no thumbnail", SLOTS, indices, args.seconds, thumbnail=False) if args.older_agents else None
    finally:
        server.terminate()
        server.wait(30)
    rows, shots = count_rows(url)
    # Each screenshot is stored with its thumbnail beside it: the screenshots are the other files.
    files = sum(1 for path in (data_dir / "screenshots").rglob("*") if path.is_file() and not path.name.endswith(".thumb.webp"))
    return report(f"{label}, {loop}", bare, minimal, ingest, paced, rows, shots, files, older)


def report(label: str, bare: Phase, minimal: Phase, ingest: Phase, paced: Phase, rows: int, shots: int, files: int,
           older: Phase | None = None) -> dict:
    accepted = ingest.ok + paced.ok + (older.ok if older else 0)
    return {
        "database": label,
        "phases": [summary(p) for p in (bare, minimal, ingest, paced, older) if p is not None],
        "ingest_share_of_bare": round(ingest.rate / bare.rate, 3) if bare.rate else None,
        "ingest_vs_minimal": round(ingest.rate / minimal.rate, 3) if minimal.rate else None,
        "cpu_ingest_vs_minimal": round(minimal.cpu_ms_per_answer / ingest.cpu_ms_per_answer, 3) if ingest.ok else None,
        "accepted": accepted, "slot_rows": rows, "screenshot_rows": shots, "screenshot_files": files,
        "nothing_lost": rows == shots == files == accepted,
    }


def summary(p: Phase) -> dict:
    return {"phase": p.name, "slots_per_s": round(p.rate, 1), "p50_ms": round(p.percentile(0.50), 1),
            "p99_ms": round(p.percentile(0.99), 1), "server_cpu_ms": round(p.cpu_ms_per_answer, 3),
            "server_busy": round(p.server_cpu / p.seconds, 2),
            "answers": {str(k): v for k, v in sorted(p.statuses.items(), key=str)}}


def markdown(results: list[dict], args, image: bytes, load: str) -> str:
    lines = [f"{args.agents} agents, {args.seconds:g} s per phase, WebP of {len(image) // 1024} KB "
             f"(with the agent's thumbnail of {len(agent_thumbnail(image)) // 1024} KB), "
             f"{os.cpu_count()} CPUs (server pinned to: {args.server_cpus or 'any'}), load average before: {load}", "",
             "| database | endpoint | slots/s | p50 ms | p99 ms | server CPU ms/answer | server busy | answers |",
             "| --- | --- | ---: | ---: | ---: | ---: | ---: | --- |"]
    for result in results:
        for p in result["phases"]:
            answers = ", ".join(f"{k}: {v}" for k, v in p["answers"].items())
            lines.append(f"| {result['database']} | {p['phase']} | {p['slots_per_s']:,.0f} | {p['p50_ms']} | "
                         f"{p['p99_ms']} | {p['server_cpu_ms']:.2f} | {100 * p['server_busy']:.0f}% | {answers} |")
    lines.append("")
    for result in results:
        bare_cpu, minimal_cpu, ingest_cpu = (result["phases"][i]["server_cpu_ms"] for i in range(3))
        lines.append(f"- {result['database']}: ingest = {100 * (result['ingest_share_of_bare'] or 0):.0f}% of bare, "
                     f"{result['ingest_vs_minimal']}x the minimal endpoint's rate (server CPU per answer "
                     f"{ingest_cpu:.2f} ms against minimal's {minimal_cpu:.2f} ms); "
                     f"server CPU per answer {ingest_cpu:.2f} ms against bare's {bare_cpu:.2f} ms; "
                     f"p99 at half the ingest peak = {result['phases'][3]['p99_ms']} ms; "
                     f"2xx answers {result['accepted']}, slot rows {result['slot_rows']}, screenshots "
                     f"{result['screenshot_rows']} rows / {result['screenshot_files']} files: "
                     f"{'nothing lost' if result['nothing_lost'] else 'MISMATCH'}")
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--agents", type=int, default=32, help="concurrent simulated agents")
    parser.add_argument("--seconds", type=float, default=15, help="length of each measured phase")
    parser.add_argument("--processes", type=int, default=max(1, (os.cpu_count() or 2) - 1), help="client processes")
    parser.add_argument("--postgres", help="SQLAlchemy URL of a PostgreSQL server to measure too")
    parser.add_argument("--server-cpus", default="0" if (os.cpu_count() or 1) > 1 else "",
                        help="CPUs the server is pinned to (taskset list), '' for no pinning")
    parser.add_argument("--data-dir", type=Path, help=("where the SQLite file and the screenshots go, in a fresh "
                                                       "folder removed afterwards (default: the system's temporary folder)"))
    parser.add_argument("--json", type=Path, help="also write the results here")
    parser.add_argument("--older-agents", action="store_true",
                        help="one more phase: uploads without the agent's thumbnail (the server decodes each screenshot)")
    parser.add_argument("--loops", default=",".join(available_loops()),
                        help=f"server loops to compare in the same run, of: {', '.join(LOOPS)}")
    args = parser.parse_args()
    server_cpus = [int(c) for c in args.server_cpus.split(",") if c]
    client_cpus = [c for c in range(os.cpu_count() or 1) if c not in server_cpus] or server_cpus
    image, results, load = desktop_webp(), [], ", ".join(f"{x:.2f}" for x in os.getloadavg())
    cleanups: list[Callable[[], None]] = []
    try:
        with multiprocessing.get_context("spawn").Pool(args.processes, initializer=_pin, initargs=(client_cpus,)) as pool:
            for loop in args.loops.split(","):
                for label, url, cleanup in databases(args.postgres, args.data_dir):
                    data_dir = Path(tempfile.mkdtemp(prefix="tally-bench-", dir=args.data_dir))
                    cleanups += [cleanup, lambda folder=data_dir: shutil.rmtree(folder, ignore_errors=True)]
                    results.append(bench_database(label, url, data_dir, args, image, pool, server_cpus, loop))
    finally:
        # Everything is deleted at the end, not between databases: on some file systems (ext4
        # without a journal) creating files soon after deleting thousands is several times slower.
        for cleanup in cleanups:
            cleanup()
    print(markdown(results, args, image, load))
    if args.json:
        args.json.write_text(json.dumps(results, indent=2))


def available_loops() -> list[str]:
    try:
        import httptools  # noqa: F401
        import uvloop  # noqa: F401
    except ImportError:
        return ["asyncio/h11"]
    return list(LOOPS)


def databases(postgres: str | None, data_dir: Path | None):
    """(label, URL, cleanup) of each database to measure, made one at a time."""
    folder = Path(tempfile.mkdtemp(prefix="tally-bench-db-", dir=data_dir))
    yield "SQLite", f"sqlite:///{folder / 'bench.sqlite3'}", lambda: shutil.rmtree(folder, ignore_errors=True)
    if postgres:
        yield "PostgreSQL", *postgres_schema(postgres)


def _pin(cpus: list[int]) -> None:
    if cpus and hasattr(os, "sched_setaffinity"):
        os.sched_setaffinity(0, cpus)


if __name__ == "__main__":
    main()
