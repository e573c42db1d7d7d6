"""The agent's state answer: CPU and statements per `devices.state` (what every agent's long poll
costs the server once per poll), in process, on SQLite and optionally PostgreSQL.

One contract, a paired device, a session under way; `--calls` answers after a warm-up.

    python bench/state_bench.py --calls 300 --postgres postgresql+psycopg://USER@HOST:5432/DB
"""

import argparse
import os
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

NOW = datetime(2026, 11, 18, 10, 0, tzinfo=UTC)


def measure(url: str, calls: int) -> tuple[float, float, int]:
    from sqlalchemy import event

    from bot.services import devices
    from bot.services.context import Context
    from storage.blobs import FolderBlobs
    from storage.engine import make_engine
    from storage.migrate import upgrade
    from tests.api.world import clock_in, hire, pair_agent

    engine = make_engine(url)
    upgrade(engine)
    ctx = Context(engine=engine, blobs=FolderBlobs(Path(tempfile.mkdtemp())), slot_seconds=600)
    hire(ctx, NOW)
    token = pair_agent(ctx, NOW)
    clock_in(ctx, NOW)

    def answer() -> None:
        devices.state(ctx, devices.authenticate(ctx, token, now=NOW), now=NOW)

    for _ in range(20):
        answer()
    statements = []
    event.listen(engine, "before_cursor_execute", lambda *_: statements.append(1))
    answer()
    counted = len(statements)
    cpu, wall = time.process_time(), time.perf_counter()
    for _ in range(calls):
        answer()
    engine.dispose()
    return 1000 * (time.process_time() - cpu) / calls, 1000 * (time.perf_counter() - wall) / calls, counted


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--calls", type=int, default=300)
    parser.add_argument("--postgres", help="SQLAlchemy URL of a PostgreSQL server to measure too")
    args = parser.parse_args()
    from bench.ingest_bench import postgres_schema

    print(f"load average before: {', '.join(f'{x:.2f}' for x in os.getloadavg())}\n")
    print("| database | statements per answer | CPU ms per answer | wall ms per answer |")
    print("| --- | ---: | ---: | ---: |")
    targets = [("SQLite", f"sqlite:///{tempfile.mkdtemp()}/state.sqlite3", lambda: None)]
    if args.postgres:
        targets.append(("PostgreSQL", *postgres_schema(args.postgres)))
    for label, url, cleanup in targets:
        try:
            cpu, wall, statements = measure(url, args.calls)
        finally:
            cleanup()
        print(f"| {label} | {statements} | {cpu:.2f} | {wall:.2f} |")


if __name__ == "__main__":
    main()
