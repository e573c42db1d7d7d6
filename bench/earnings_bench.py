"""Benchmark: /earnings of a client with many contracts, and /profile, read from closed weeks.

Generates one workspace of N contracts (one client, a freelancer each, week_close_bench's data),
closes their week, then times what a person waits for: the client's /earnings over every
contract (each with its closed week, and its later weeks counted as the diary counts them),
a freelancer's /profile, and the weekly summary's earnings line.

    python bench/earnings_bench.py --contracts 100                                 # SQLite
    python bench/earnings_bench.py --contracts 100 --url postgresql+psycopg://...  # PostgreSQL (own schema)
"""

import argparse
import random
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

from sqlalchemy import text

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.week_close_bench import DEADLINE, analyze, engine_for, generate  # noqa: E402
from bot import jobs  # noqa: E402
from bot.services import earnings, profile, summary  # noqa: E402
from bot.services.actors import Actor  # noqa: E402
from bot.services.context import Context  # noqa: E402
from storage import repo  # noqa: E402
from storage.blobs import FolderBlobs  # noqa: E402
from storage.migrate import upgrade  # noqa: E402

DUE = datetime(2026, 12, 2, 9, tzinfo=UTC)  # the week's amounts are due; two later weeks are open


def timed(label: str, work, repeat: int = 5) -> None:
    took = []
    for _ in range(repeat):
        began = time.perf_counter()
        work()
        took.append(time.perf_counter() - began)
    print(f"{label}: median {sorted(took)[len(took) // 2] * 1000:.0f} ms of {repeat} runs")


def run(engine, folder: Path, args) -> None:
    upgrade(engine)
    slots = generate(engine, args.contracts, args.days, args.hours, random.Random(1))
    analyze(engine)
    ctx = Context(engine=engine, blobs=FolderBlobs(folder / "blobs"))
    jobs.week_close(ctx, now=DEADLINE)
    print(f"{engine.dialect.name}: {args.contracts} contracts of one client, {slots} slots, week closed")
    client = Actor("slack", "T0", "U-client-0", "client0", "C-elsewhere")
    shown = earnings.show(ctx, client, now=DUE)
    assert len(shown.owed) == args.contracts, shown
    timed(f"/earnings of the client ({args.contracts} contracts)", lambda: earnings.show(ctx, client, now=DUE))
    timed("/profile of a freelancer (1 contract)", lambda: profile.profile(ctx, Actor("slack", "T0", "U-f0", "freelancer0"), now=DUE))

    def line():
        with ctx.unit() as s:
            summary.earnings_line(s, repo.live_contracts_of(s, member_id=shown_client_id(s)), DUE)

    timed(f"summary's earnings line ({args.contracts} contracts)", line)


def shown_client_id(s) -> int:
    return repo.member(s, workspace_id=repo.workspace(s, platform="slack", external_id="T0").id, external_id="U-client-0").id


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--url", help="a PostgreSQL URL; the benchmark works in a schema of its own and drops it")
    parser.add_argument("--contracts", type=int, default=100)
    parser.add_argument("--days", type=int, default=5, help="working days per contract")
    parser.add_argument("--hours", type=int, default=8, help="hours per working day")
    args = parser.parse_args()
    args.contracts = min(args.contracts, 100)  # one workspace, one client: week_close_bench puts 100 in each
    with tempfile.TemporaryDirectory() as folder:
        engine, cleanup = engine_for(args.url, Path(folder))
        try:
            run(engine, Path(folder), args)
        finally:
            engine.dispose()
            if cleanup:
                admin, schema = cleanup
                with admin.begin() as conn:
                    conn.execute(text(f"DROP SCHEMA {schema} CASCADE"))


if __name__ == "__main__":
    main()
