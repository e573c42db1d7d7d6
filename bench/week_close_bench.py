"""Benchmark: the Monday week close of many contracts, each with a week of tracked slots.

Generates the contracts (in workspaces of 100), a working week of slots for each, then times the
week-close job: statements, review rows, charts and outbox messages for every contract.

    python bench/week_close_bench.py                                 # SQLite in a temporary folder
    python bench/week_close_bench.py --url postgresql+psycopg://...  # a PostgreSQL database (own schema)
"""

import argparse
import os
import random
import resource
import sys
import tempfile
import time
import uuid
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from pathlib import Path

from sqlalchemy import func, insert, select, text

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bot import jobs  # noqa: E402
from bot.services.context import Context  # noqa: E402
from storage.blobs import FolderBlobs  # noqa: E402
from storage.engine import make_engine  # noqa: E402
from storage.migrate import upgrade  # noqa: E402
from diary.contract_terms import HISTORY  # noqa: E402
from storage.tables import Contract, ContractChange, Member, Outbox, Slot, WeekReview, WorkSession, Workspace  # noqa: E402

MONDAY = date(2026, 11, 16)
START = datetime(2026, 11, 16, tzinfo=UTC)
DEADLINE = datetime(2026, 11, 23, 12, tzinfo=UTC)
PER_WORKSPACE = 100
BATCH = 20_000


def engine_for(url: str | None, folder: Path):
    if url is None:
        return make_engine(f"sqlite:///{folder / 'bench.sqlite3'}"), None
    schema = f"bench_{uuid.uuid4().hex[:10]}"
    admin = make_engine(url)
    with admin.begin() as conn:
        conn.execute(text(f"CREATE SCHEMA {schema}"))
    separator = "&" if "?" in url else "?"
    return make_engine(f"{url}{separator}options=-csearch_path%3D{schema}"), (admin, schema)


def batched(conn, table, rows) -> None:
    for i in range(0, len(rows), BATCH):
        conn.execute(insert(table), rows[i:i + BATCH])


def generate(engine, contracts: int, days: int, hours: int, rng: random.Random) -> int:
    """Workspaces, people, contracts with their term history, sessions and slots; returns the slot count."""
    with engine.begin() as conn:
        spaces = -(-contracts // PER_WORKSPACE)
        batched(conn, Workspace.__table__, [{"platform": "slack", "external_id": f"T{w}", "name": f"team {w}"} for w in range(spaces)])
        ws_ids = [row[0] for row in conn.execute(select(Workspace.id).order_by(Workspace.id))]
        people = [{"workspace_id": ws_ids[w], "external_id": f"U-client-{w}", "name": f"client{w}"} for w in range(spaces)]
        people += [{"workspace_id": ws_ids[c // PER_WORKSPACE], "external_id": f"U-f{c}", "name": f"freelancer{c}"} for c in range(contracts)]
        batched(conn, Member.__table__, people)
        ids = {ext: mid for mid, ext in conn.execute(select(Member.id, Member.external_id))}
        created = START
        batched(conn, Contract.__table__, [{
            "workspace_id": ws_ids[c // PER_WORKSPACE], "channel_id": f"C{c}", "client_id": ids[f"U-client-{c // PER_WORKSPACE}"],
            "freelancer_id": ids[f"U-f{c}"], "title": f"project {c}", "currency": "USD", "rate": Decimal(rng.choice([25, 40, 60])),
            "weekly_limit_hours": Decimal(35) if c % 3 == 0 else None, "weekly_payment": Decimal(0), "manual_allowed": True,
            "screenshots": "on", "billing": "segments", "tz": rng.choice(["UTC", "UTC", "Europe/Berlin", "Asia/Kolkata"]),
            "idle_minutes": 10, "window": False, "status": "active", "start_day": created.date(), "created_at": created,
        } for c in range(contracts)])
        contract_rows = list(conn.execute(select(Contract).order_by(Contract.id)))
        # Every term's initial value, as a new contract keeps them, and the status.
        batched(conn, ContractChange.__table__, [
            {"contract_id": row.id, "at": created, "effective_at": created, "field": field, "value": value}
            for row in contract_rows
            for field, value in (*((t.name, t.text(getattr(row, t.column))) for t in HISTORY), ("status", "active"))])
        return _work(conn, [row.id for row in contract_rows], days, hours, rng)


def _work(conn, contract_ids: list[int], days: int, hours: int, rng: random.Random) -> int:
    sessions = [{"contract_id": cid, "started_at": START + timedelta(days=d, hours=9), "ended_at": START + timedelta(days=d, hours=9 + hours),
                 "end_reason": "clockout", "memo": "bench"} for cid in contract_ids for d in range(days)]
    batched(conn, WorkSession.__table__, sessions)
    slots = []
    for session_id, cid, started in conn.execute(select(WorkSession.id, WorkSession.contract_id, WorkSession.started_at)):
        for n in range(hours * 6):
            start = started + timedelta(minutes=10 * n)
            active = rng.randint(3, 10)
            slots.append({"contract_id": cid, "session_id": session_id, "start": start, "active_minutes": active, "tracked_minutes": 10,
                          "minutes": [[rng.randint(1, 90), rng.randint(1, 200)] if m < active else [0, 0] for m in range(10)],
                          "screenshot_at": start + timedelta(seconds=rng.randint(1, 599)), "memo": "bench", "manual": False,
                          "agent_version": "bench", "meta_hash": "", "received_at": start + timedelta(minutes=10)})
        if len(slots) >= BATCH:
            batched(conn, Slot.__table__, slots)
            slots.clear()
    batched(conn, Slot.__table__, slots)
    return conn.execute(select(func.count()).select_from(Slot)).scalar_one()


def analyze(engine) -> None:
    """Table statistics, as PostgreSQL's autovacuum keeps them on a live database: without them the
    planner takes a freshly loaded slot table for a few rows and reads all of a week's slots for
    every chunk of contracts. (SQLite plans the same with or without them.)"""
    if engine.dialect.name == "postgresql":
        with engine.begin() as conn:
            conn.execute(text("ANALYZE"))


def cpu_seconds() -> float:
    """CPU time of this process and of its finished children (the week close's helper process)."""
    return sum(getattr(resource.getrusage(who), part) for who in (resource.RUSAGE_SELF, resource.RUSAGE_CHILDREN)
               for part in ("ru_utime", "ru_stime"))


def count(engine, table) -> int:
    with engine.connect() as conn:
        return conn.execute(select(func.count()).select_from(table)).scalar_one()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--url", help="a PostgreSQL URL; the benchmark works in a schema of its own and drops it")
    parser.add_argument("--contracts", type=int, default=10_000)
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


def run(engine, folder: Path, args) -> None:
    upgrade(engine)
    began = time.perf_counter()
    slots = generate(engine, args.contracts, args.days, args.hours, random.Random(1))
    print(f"{engine.dialect.name}: generated {args.contracts} contracts, {slots} slots in {time.perf_counter() - began:.1f} s")
    analyze(engine)
    ctx = Context(engine=engine, blobs=FolderBlobs(folder / "blobs"))
    load, cpu, began = os.getloadavg()[0], cpu_seconds(), time.perf_counter()
    said = jobs.week_close(ctx, now=DEADLINE)
    took, cpu = time.perf_counter() - began, cpu_seconds() - cpu
    reviews, messages = count(engine, WeekReview), count(engine, Outbox)
    print(f"{said}\nweek close: {took:.2f} s for {reviews} statements and {messages} queued review messages "
          f"({args.contracts / took:.0f} contracts/s); {cpu:.1f} s of CPU in this process and its helper "
          f"(the database server's not counted); load average {load:.1f} before, {os.getloadavg()[0]:.1f} after")
    began = time.perf_counter()
    print(f"{jobs.week_close(ctx, now=DEADLINE + timedelta(minutes=5))}: rerun in {time.perf_counter() - began:.2f} s")


if __name__ == "__main__":
    main()
