"""Chat latency under upload load: what a person in Slack or Discord waits while agents upload.

For each database it starts the real `tally serve` (HTTP, Slack, the Discord gateway, scheduler and
outbox in one process, pinned to one CPU), the fake Slack Web API and the fake Discord gateway and
REST of the tests (tests/slack, tests/discord) in this process, and N simulated agents in client
processes (bench/ingest_bench.py's). Then, in turn:

  * idle  - a person's commands with no upload going on;
  * load  - the same while the agents upload real new slots (inserts: the writer is busy) at half
            the rate a short full-speed phase reached.

The person, one request at a time: on Slack signed slash commands `/timesheet`, `/diary`,
`/clockin`, `/clockout` and `/manual`, and the **Approve** click on the manual-time request the
outbox posted; on Discord the same as INTERACTION_CREATE events through the fake gateway. Timed:

  * Slack: the HTTP answer (Slack's 3 s limit: an ack) and the reply the person reads (the
    response_url post for a command, the chat.update of the clicked message);
  * Discord: the interaction response (the callback; 3 s limit) and the reply (the callback, or
    the follow-up of a deferral).

    python bench/chat_bench.py --agents 32 --seconds 20 --postgres postgresql+psycopg://USER@HOST/DB
"""

import argparse
import multiprocessing
import os
import shutil
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench import ingest_bench as ib  # noqa: E402
from tests.discord.fake import CHANNEL_ID, TOKEN as DISCORD_TOKEN, buttons_of, message_text  # noqa: E402
from tests.discord.talk import ALICE as D_ALICE, BOB as D_BOB  # noqa: E402
from tests.discord.talk import Discord  # noqa: E402
from tests.e2e.discord_side import DiscordSide, FarAwayFakeDiscord  # noqa: E402
from tests.slack.fake_slack import FakeSlack  # noqa: E402
from tests.slack.harness import ALICE, BOB, CHANNEL, SECRET, SlackSide  # noqa: E402

SLACK_COMMANDS = ("timesheet", "diary", "clockin", "clockout", "manual")


class TimedSlack(FakeSlack):
    """The tests' fake Slack, noting when each call arrived (its own thread, perf_counter)."""

    def __init__(self) -> None:
        super().__init__()
        self.arrivals: dict[tuple[str, str], float] = {}

    def _record(self, call) -> None:
        key = call.path if call.method == "response_url" else str(call.args.get("ts", ""))
        self.arrivals.setdefault((call.method, key), time.perf_counter())
        super()._record(call)


@dataclass
class Timings:
    """Per operation: seconds to the first answer (HTTP / interaction response) and to the reply read."""

    first: dict[str, list[float]] = field(default_factory=lambda: defaultdict(list))
    reply: dict[str, list[float]] = field(default_factory=lambda: defaultdict(list))
    failures: list[str] = field(default_factory=list)

    def add(self, name: str, first: float, reply: float) -> None:
        self.first[name].append(first)
        self.reply[name].append(reply)


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return 1000 * ordered[min(len(ordered) - 1, int(share * len(ordered)))] if ordered else float("nan")


# ---------------------------------------------------------------- the person on Slack

class SlackPerson:
    def __init__(self, side: SlackSide, fake: TimedSlack) -> None:
        self.side, self.fake = side, fake

    def command(self, timings: Timings, user, name: str, text: str = "") -> dict:
        sent_at = time.perf_counter()
        sent = self.side.command(user, name, text)
        answered = time.perf_counter()
        reply = self.fake.wait("response_url", path=sent.key, timeout=30)[0].args
        timings.add(f"slack /{name}", answered - sent_at, self.fake.arrivals[("response_url", sent.key)] - sent_at)
        return reply

    def approve(self, timings: Timings, memo: str) -> None:
        message = self._posted(memo)
        sent_at = time.perf_counter()
        sent = self.side.click(ALICE, message, "Approve")
        answered = time.perf_counter()
        assert sent.http.status_code == 200, sent.http.text
        key = ("chat.update", message["ts"])
        deadline = time.monotonic() + 30
        while key not in self.fake.arrivals and time.monotonic() < deadline:
            time.sleep(0.002)
        timings.add("slack Approve", answered - sent_at, self.fake.arrivals[key] - sent_at)

    def _posted(self, memo: str) -> dict:
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            for message in list(self.fake.messages.values()):
                if memo in (message.get("text") or "") and "Approve" in str(message.get("blocks")):
                    return message
            time.sleep(0.01)
        raise TimeoutError(f"the manual-time request {memo!r} was never posted")


# ---------------------------------------------------------------- the person on Discord

class TimedDiscord(FarAwayFakeDiscord):
    """The tests' fake Discord, noting when each interaction's response (callback) arrived."""

    def __init__(self) -> None:
        super().__init__()
        self.answered: dict[str, float] = {}

    async def _callback(self, request):
        self.answered.setdefault(request.match_info["id"], time.perf_counter())
        return await super()._callback(request)


def timed_discord() -> DiscordSide:
    side = DiscordSide()
    side.fake = TimedDiscord()
    side.people = Discord(side.fake)
    return side.start()


class DiscordPerson:
    def __init__(self, side: DiscordSide) -> None:
        self.side = side
        self.callbacks = side.fake.answered

    def command(self, timings: Timings, who, path: str, **options):
        before = set(self.callbacks)
        sent_at = time.perf_counter()
        reply = self.side.slash(who, path, **options)
        done = time.perf_counter()
        first = min(self.callbacks[k] for k in set(self.callbacks) - before)
        timings.add(f"discord /{path}", first - sent_at, done - sent_at)
        return reply

    def approve(self, timings: Timings, memo: str) -> None:
        message = self._posted(memo)
        before = set(self.callbacks)
        sent_at = time.perf_counter()
        self.side.click(D_ALICE, message, "Approve")
        done = time.perf_counter()
        first = min(self.callbacks[k] for k in set(self.callbacks) - before)
        timings.add("discord Approve", first - sent_at, done - sent_at)

    def _posted(self, memo: str) -> dict:
        return self.side.wait_for(lambda: next((m for m in reversed(self.side.fake.channel_messages)
                                                if memo in message_text(m) and buttons_of(m)), None), timeout=30)


# ---------------------------------------------------------------- one round of a person's commands

@dataclass
class World:
    slack: SlackPerson
    discord: DiscordPerson
    monday: datetime  # of the current week, UTC: manual time goes there, 10 minutes per round
    rounds: int = 0


def one_round(world: World, timings: Timings) -> None:
    n, world.rounds = world.rounds, world.rounds + 1
    slot = world.monday + timedelta(minutes=10 * n)
    span, date = f"{slot:%H:%M}-{slot + timedelta(minutes=10):%H:%M}", f"{slot:%Y-%m-%d}"
    memo = f"bench {uuid.uuid4().hex[:8]}"
    s, d = world.slack, world.discord
    reads = (  # twice a round: the writes below wait for the outbox's pace of 1 message/s per channel
        lambda: s.command(timings, ALICE, "timesheet"),
        lambda: d.command(timings, D_ALICE, "timesheet"),
        lambda: s.command(timings, BOB, "diary"),
        lambda: d.command(timings, D_BOB, "diary"),
    )
    for step in (
        *reads, *reads,
        lambda: s.command(timings, BOB, "clockin", "bench"),
        lambda: d.command(timings, D_BOB, "clockin", memo="bench"),
        lambda: s.command(timings, BOB, "clockout"),
        lambda: d.command(timings, D_BOB, "clockout"),
        lambda: s.command(timings, BOB, "manual", f"{span} {date} {memo}"),
        lambda: d.command(timings, D_BOB, "manual", range=span, date=date, memo=memo),
        lambda: s.approve(timings, memo),
        lambda: d.approve(timings, memo),
    ):
        try:
            step()
        except (AssertionError, TimeoutError, KeyError, ValueError, StopIteration, httpx.HTTPError) as error:
            timings.failures.append(f"{type(error).__name__}: {error}"[:200])


def probe(world: World, timings: Timings, keep_going: Callable[[], bool], pause: float) -> None:
    while keep_going():
        one_round(world, timings)
        time.sleep(pause)  # a person reads the answer; the server is not probed back to back


# ---------------------------------------------------------------- the server

def run_delay(pid: int) -> float:
    """Seconds the server's threads have spent ready to run but waiting for a CPU (Linux schedstat):
    on a shared machine, what other people's work cost the server's answers."""
    total = 0.0
    for task in Path(f"/proc/{pid}/task").glob("*"):
        try:
            total += int((task / "schedstat").read_text().split()[1]) / 1e9
        except (OSError, IndexError, ValueError):
            pass  # a thread that ended meanwhile
    return total


@dataclass
class Watch:
    """The server's CPU time and its wait for a CPU over one phase."""

    pid: int
    seconds: float = 0.0
    cpu: float = 0.0
    waited: float = 0.0

    def __enter__(self):
        self._start = (time.monotonic(), ib.cpu_seconds(self.pid), run_delay(self.pid))
        return self

    def __exit__(self, *_):
        now = (time.monotonic(), ib.cpu_seconds(self.pid), run_delay(self.pid))
        self.seconds, self.cpu, self.waited = (b - a for a, b in zip(self._start, now))

    def __str__(self) -> str:
        return (f"server busy {100 * self.cpu / self.seconds:.0f}% of one CPU, its threads waited "
                f"{self.waited / self.seconds:.2f} s per second for a CPU")


def start_tally(url: str, data_dir: Path, port: int, cpus: list[int], fake: FakeSlack, discord: DiscordSide,
                switch_interval: float | None = None) -> subprocess.Popen:
    path = os.pathsep.join(filter(None, [str(ROOT), os.environ.get("PYTHONPATH")]))
    env = {**os.environ, "PYTHONPATH": path, "TALLY_DATABASE_URL": url, "TALLY_DATA_DIR": str(data_dir),
           "HOST": "127.0.0.1", "PORT": str(port), "TALLY_SLOT_SECONDS": str(ib.SLOT_SECONDS),
           "TALLY_PUBLIC_URL": f"http://127.0.0.1:{port}", "TALLY_SECRET_KEY": "bench-secret-key-bench-secret-key",
           "SLACK_BOT_TOKEN": "xoxb-bench", "SLACK_SIGNING_SECRET": SECRET, "SLACK_API_URL": fake.api_url,
           "DISCORD_TOKEN": DISCORD_TOKEN, "DISCORD_API_URL": discord.fake.api_url,
           "DISCORD_GATEWAY_URL": discord.fake.gateway_url}
    for name in ("SLACK_APP_TOKEN", "TALLY_BLOB_URL", "TALLY_S3_ENDPOINT_URL"):
        env.pop(name, None)
    command = [sys.executable, "-m", "bot.cli", "serve"]
    if switch_interval:  # to compare: the server's interpreter switch interval (bot/cli.py SWITCH_INTERVAL)
        command = [sys.executable, "-c", f"import sys, bot.cli; bot.cli.SWITCH_INTERVAL = {switch_interval}; "
                   "sys.argv[1:] = ['serve']; bot.cli.main()"]
    if cpus and shutil.which("taskset"):
        command = ["taskset", "-c", ",".join(map(str, cpus)), *command]
    log = open(data_dir / "serve.log", "w")  # noqa: SIM115 - open for the server's lifetime
    before = discord.fake.syncs
    server = subprocess.Popen(command, cwd=data_dir, env=env, stdout=log, stderr=subprocess.STDOUT)
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            if httpx.get(f"http://127.0.0.1:{port}/healthz", timeout=1).status_code == 200 and discord.fake.syncs > before:
                return server
        except httpx.HTTPError:
            pass
        if server.poll() is not None:
            break
        time.sleep(0.2)  # the server is still starting
    server.kill()
    raise RuntimeError(f"tally serve did not start: {(data_dir / 'serve.log').read_text()[-2000:]}")


# ---------------------------------------------------------------- one database

def bench_database(label: str, url: str, args, pool, server_cpus: list[int]) -> dict:
    data_dir = Path(tempfile.mkdtemp(prefix="tally-chat-bench-", dir=args.data_dir))
    started = datetime.now(UTC).replace(microsecond=0) - timedelta(hours=11)
    started -= timedelta(seconds=started.timestamp() % ib.SLOT_SECONDS)
    agents = ib.prepare(url, data_dir, args.agents, started)
    fake, discord = TimedSlack(), timed_discord()
    fake.start()
    port = ib.free_port()
    server = start_tally(url, data_dir, port, server_cpus, fake, discord, args.switch_interval)
    image = ib.desktop_webp()
    target = ib.Target(pool, f"http://127.0.0.1:{port}", agents, started, image, args.processes, server.pid, ib.agent_thumbnail(image))
    today = datetime.now(UTC).replace(hour=0, minute=0, second=0, microsecond=0)
    world = World(SlackPerson(SlackSide(target.base, fake), fake), DiscordPerson(discord), today - timedelta(days=today.weekday()))
    try:
        hire(world)
        idle, load = Timings(), Timings()
        for _ in range(2):  # warm-up: first imports, first queries
            one_round(world, Timings())
        stop_at = time.monotonic() + args.seconds
        with Watch(server.pid) as idle_watch:
            probe(world, idle, lambda: time.monotonic() < stop_at, args.pause)
        indices = [0] * len(agents)
        peak = target.phase("peak", ib.SLOTS, indices, args.peak_seconds)
        uploads: list = []
        loader = threading.Thread(target=lambda: uploads.append(
            target.phase("load", ib.SLOTS, indices, args.seconds, rate=peak.rate / 2)))
        loader.start()
        time.sleep(0.5)  # the agents are under way
        with Watch(server.pid) as load_watch:
            probe(world, load, loader.is_alive, args.pause)
        loader.join()
    finally:
        server.terminate()
        server.wait(30)
        fake.stop()
        discord.stop()
        shutil.rmtree(data_dir, ignore_errors=True)
    return {"database": label, "idle": idle, "load": load, "peak": peak, "uploads": uploads[0],
            "watches": (idle_watch, load_watch), "load_average": ", ".join(f"{x:.1f}" for x in os.getloadavg())}


def markdown(results: list[dict], args, load_before: str) -> str:
    lines = [f"{args.agents} agents at half their peak rate during the load phase; {args.seconds:g} s per phase; "
             f"{os.cpu_count()} CPUs, `tally serve` pinned to {args.server_cpus or 'any'}; load average before: {load_before}", ""]
    for result in results:
        up, peak = result["uploads"], result["peak"]
        lines += [f"**{result['database']}** - uploads: peak {peak.rate:,.0f}/s, during the load phase {up.rate:,.0f}/s "
                  f"(p50 {up.percentile(0.5):.0f} ms, p99 {up.percentile(0.99):.0f} ms, answers "
                  f"{dict(sorted((str(k), v) for k, v in up.statuses.items()))}); idle: {result['watches'][0]}; "
                  f"under load: {result['watches'][1]}; load average after: {result['load_average']}", "",
                  "| operation | n idle / load | first answer p50 / p99 ms, idle | under load | reply p50 / p99 ms, idle | under load |",
                  "| --- | ---: | ---: | ---: | ---: | ---: |"]
        idle, load = result["idle"], result["load"]
        for name in idle.first:
            lines.append(f"| {name} | {len(idle.first[name])} / {len(load.first[name])} | "
                         f"{percentile(idle.first[name], .5):.0f} / {percentile(idle.first[name], .99):.0f} | "
                         f"{percentile(load.first[name], .5):.0f} / {percentile(load.first[name], .99):.0f} | "
                         f"{percentile(idle.reply[name], .5):.0f} / {percentile(idle.reply[name], .99):.0f} | "
                         f"{percentile(load.reply[name], .5):.0f} / {percentile(load.reply[name], .99):.0f} |")
        every = [lambda t: [x for v in t.reply.values() for x in v]]
        for kind in every:
            lines.append(f"| all replies | {len(kind(idle))} / {len(kind(load))} | | | "
                         f"{percentile(kind(idle), .5):.0f} / {percentile(kind(idle), .99):.0f} | "
                         f"{percentile(kind(load), .5):.0f} / {percentile(kind(load), .99):.0f} |")
        failures = idle.failures + load.failures
        lines += ["", f"failures: {len(failures)}" + (f" (first: {failures[0]})" if failures else ""), ""]
    return "\n".join(lines)


def hire(world: World) -> None:
    made = world.slack.command(Timings(), ALICE, "contract", f"new {BOB.mention} rate=40 manual=on")
    assert "Contract created" in made["text"], made
    reply = world.discord.command(Timings(), D_ALICE, "contract new", freelancer=D_BOB, rate=40, manual="on")
    assert "Contract created" in reply.text, reply.text


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--agents", type=int, default=32)
    parser.add_argument("--seconds", type=float, default=20, help="length of the idle and of the load phase")
    parser.add_argument("--peak-seconds", type=float, default=4, help="the full-speed phase that finds the peak")
    parser.add_argument("--pause", type=float, default=0.05, help="seconds between two rounds of commands")
    parser.add_argument("--processes", type=int, default=max(1, (os.cpu_count() or 2) - 1))
    parser.add_argument("--postgres", help="SQLAlchemy URL of a PostgreSQL server to measure too")
    parser.add_argument("--server-cpus", default="0" if (os.cpu_count() or 1) > 1 else "")
    parser.add_argument("--data-dir", type=Path)
    parser.add_argument("--switch-interval", type=float, help="the server's interpreter switch interval in seconds, to compare (default: as shipped, 0.001)")
    args = parser.parse_args()
    server_cpus = [int(c) for c in args.server_cpus.split(",") if c]
    client_cpus = [c for c in range(os.cpu_count() or 1) if c not in server_cpus] or server_cpus
    load_before = ", ".join(f"{x:.2f}" for x in os.getloadavg())
    results, cleanups = [], []
    try:
        with multiprocessing.get_context("spawn").Pool(args.processes, initializer=ib._pin, initargs=(client_cpus,)) as pool:
            for label, url, cleanup in ib.databases(args.postgres, args.data_dir):
                cleanups.append(cleanup)
                results.append(bench_database(label, url, args, pool, server_cpus))
    finally:
        for cleanup in cleanups:
            cleanup()
    print(markdown(results, args, load_before))


if __name__ == "__main__":
    main()
