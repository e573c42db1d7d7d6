"""What a chat command's database round trips cost beside the upload threads' Python work.

A command makes dozens of round trips to the database; each one gives the interpreter lock away
while it waits for the answer, and takes it back from whichever thread is running Python (under
upload load: the image checks and the group writer). CPython hands it back only after its switch
interval (5 ms by default). This measures 40 PostgreSQL round trips (`SELECT 1`-like, what a
`/timesheet` makes) alone and beside one busy Python thread, for several switch intervals, in one
process pinned to one CPU (as `tally serve` on a busy core).

    python bench/gil_bench.py --url postgresql+psycopg://USER@HOST:5432/DB
"""

import argparse
import os
import statistics
import sys
import threading
import time


def command(conn, trips: int) -> float:
    started = time.perf_counter()
    for n in range(trips):
        conn.execute("SELECT %s::int", (n,)).fetchall()
    return time.perf_counter() - started


def busy(stop: threading.Event) -> None:
    while not stop.is_set():
        sum(i * i for i in range(2000))  # Python work, as parsing and validating uploads is


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--url", required=True, help="PostgreSQL URL (postgresql+psycopg://... or postgresql://...)")
    parser.add_argument("--trips", type=int, default=40)
    parser.add_argument("--runs", type=int, default=30)
    parser.add_argument("--intervals", default="0.005,0.002,0.001,0.0005")
    args = parser.parse_args()
    import psycopg

    if hasattr(os, "sched_setaffinity"):
        os.sched_setaffinity(0, {0})
    conn = psycopg.connect(args.url.replace("postgresql+psycopg://", "postgresql://"), autocommit=True)
    print(f"load average before: {', '.join(f'{x:.2f}' for x in os.getloadavg())}\n")
    print("| switch interval | command alone, median ms | beside a busy thread, median ms | p90 ms |")
    print("| ---: | ---: | ---: | ---: |")
    for interval in (float(x) for x in args.intervals.split(",")):
        sys.setswitchinterval(interval)
        alone = [command(conn, args.trips) for _ in range(args.runs)]
        stop = threading.Event()
        other = threading.Thread(target=busy, args=(stop,))
        other.start()
        beside = sorted(command(conn, args.trips) for _ in range(args.runs))
        stop.set()
        other.join()
        print(f"| {interval * 1000:g} ms | {1000 * statistics.median(alone):.1f} | {1000 * statistics.median(beside):.1f} | "
              f"{1000 * beside[int(0.9 * len(beside))]:.1f} |")


if __name__ == "__main__":
    main()
