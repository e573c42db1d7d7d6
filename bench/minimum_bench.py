"""Benchmark: Thursday's weekly-minimum reminder job over many contracts that have a minimum.

Generates N contracts (week_close_bench's data: 5 x 8 h of slots in week 2026-W47, billing
timezones UTC, Europe/Berlin and Asia/Kolkata), gives each a 100-hour minimum (so every one is
behind pace), then times the job as the scheduler runs it every 15 minutes: on a Tuesday (nobody's
Thursday: it only lists the contracts), on Thursday 09:00 UTC (every week counted, a reminder
queued each) and 15 minutes later (every reminder already queued: nothing counted again).

    python bench/minimum_bench.py --contracts 1000                                 # SQLite
    python bench/minimum_bench.py --contracts 1000 --url postgresql+psycopg://...  # PostgreSQL (own schema)
"""

import argparse
import os
import random
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

from sqlalchemy import text, update

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.week_close_bench import analyze, engine_for, generate  # noqa: E402
from bot import jobs  # noqa: E402
from bot.services.context import Context  # noqa: E402
from storage.blobs import FolderBlobs  # noqa: E402
from storage.migrate import upgrade  # noqa: E402
from storage.tables import Contract, ContractChange  # noqa: E402

TUESDAY, THURSDAY = datetime(2026, 11, 17, 9, tzinfo=UTC), datetime(2026, 11, 19, 9, tzinfo=UTC)


def run(engine, folder: Path, args) -> None:
    upgrade(engine)
    slots = generate(engine, args.contracts, args.days, args.hours, random.Random(1))
    with engine.begin() as conn:  # a minimum from the start: the initial value, as a new contract keeps it
        conn.execute(update(Contract).values(weekly_min_hours=100))
        conn.execute(update(ContractChange).where(ContractChange.field == "min").values(value="100"))
    analyze(engine)
    ctx = Context(engine=engine, blobs=FolderBlobs(folder / "blobs"))
    print(f"{engine.dialect.name}: {args.contracts} contracts with a minimum, {slots} slots; load average {os.getloadavg()[0]:.1f}")
    for label, now in (("Tuesday", TUESDAY), ("Thursday 09:00", THURSDAY), ("Thursday 09:15", THURSDAY + timedelta(minutes=15))):
        began = time.perf_counter()
        said = jobs.minimum_reminder(ctx, now=now)
        print(f"{label}: {said} in {time.perf_counter() - began:.2f} s")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--url", help="a PostgreSQL URL; the benchmark works in a schema of its own and drops it")
    parser.add_argument("--contracts", type=int, default=1000)
    parser.add_argument("--days", type=int, default=5, help="working days per contract")
    parser.add_argument("--hours", type=int, default=8, help="hours per working day")
    args = parser.parse_args()
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
