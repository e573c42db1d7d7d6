"""The fixed cost of recording one upload alone (a group of one, as under light load): the CPU
time of `ingest.record_uploads` for a single upload, repeated, on SQLite and PostgreSQL. No HTTP:
the transaction, the reads, the file and the writes only.

    python bench/ingest_one_bench.py --uploads 300 --postgres postgresql+psycopg://USER@HOST/DB
"""

import argparse
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
sys.path.insert(0, str(Path(__file__).resolve().parent))

import ingest_bench as bench

from bot.services import images, ingest
from bot.services.context import Context
from diary.protocol import SlotReport
from storage.blobs import FolderBlobs
from storage.engine import make_engine


def upload(agent: bench.Agent, started: datetime, index: int, image: images.Image) -> ingest.Upload:
    start = started + timedelta(seconds=bench.SLOT_SECONDS * index)
    report = SlotReport.model_validate({
        "session_id": agent.session_id, "slot_start": start.isoformat(), "agent_version": "bench", "memo": "benchmark",
        "minutes": [{"keys": 31, "mouse": 57}] * 10, "screenshot_at": (start + timedelta(seconds=5)).isoformat()})
    return ingest.Upload(report, image, datetime.now(UTC), token=agent.token)


def measure(url: str, uploads: int) -> tuple[float, float]:
    """(CPU ms, wall ms) per upload recorded alone."""
    data = Path(tempfile.mkdtemp(prefix="tally-one-"))
    started = datetime.now(UTC).replace(microsecond=0) - timedelta(hours=11)
    started -= timedelta(seconds=started.timestamp() % bench.SLOT_SECONDS)
    (agent,) = bench.prepare(url, data, 1, started)
    ctx = Context(engine=make_engine(url), blobs=FolderBlobs(data / "screenshots"), slot_seconds=bench.SLOT_SECONDS)
    image = images.inspect(bench.desktop_webp())
    for index in range(20):  # warm-up: connections, compiled statements, prepared statements
        ingest.record_uploads(ctx, [upload(agent, started, index, image)])
    batch = [upload(agent, started, 20 + index, image) for index in range(uploads)]
    cpu, wall = time.process_time(), time.perf_counter()
    for one in batch:
        (answer,) = ingest.record_uploads(ctx, [one])
        assert not isinstance(answer, Exception) and not answer.duplicate, answer
    cpu, wall = time.process_time() - cpu, time.perf_counter() - wall
    ctx.engine.dispose()
    return 1000 * cpu / uploads, 1000 * wall / uploads


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--uploads", type=int, default=300)
    parser.add_argument("--postgres", help="SQLAlchemy URL of a PostgreSQL server to measure too")
    args = parser.parse_args()
    rows = [("SQLite", *measure(f"sqlite:///{tempfile.mkdtemp()}/one.sqlite3", args.uploads))]
    if args.postgres:
        url, drop = bench.postgres_schema(args.postgres)
        try:
            rows.append(("PostgreSQL", *measure(url, args.uploads)))
        finally:
            drop()
    print("| database | CPU ms per upload alone | wall ms |\n| --- | ---: | ---: |")
    for label, cpu, wall in rows:
        print(f"| {label} | {cpu:.2f} | {wall:.2f} |")


if __name__ == "__main__":
    main()
