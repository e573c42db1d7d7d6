"""Server CPU per slot with and without direct uploads, against a real S3-compatible bucket
(moto's server, in its own process on the clients' CPU).

Both phases store screenshots in the bucket; the agents send the JPEG screenshot and the WebP
thumbnail the real agent makes (agent.capture):

  * multipart - the images inside the slot's multipart: the server reads the screenshot's header,
                checks the thumbnail and PUTs both to the bucket;
  * direct    - POST /api/v1/agent/uploads (the server presigns two PUTs), the agent PUTs both
                images to the bucket itself, then posts the slot naming them (the server HEADs
                both objects for their size and SHA-256).

The agents upload at a fixed total rate (--rate), the same in both phases, so the server's CPU
time per recorded slot (from /proc, all its threads) compares like with like.

    python bench/direct_bench.py --agents 16 --rate 40 --seconds 15 --postgres postgresql+psycopg://USER@HOST/DB
"""

import argparse
import asyncio
import hashlib
import io
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from collections import Counter
from datetime import UTC, datetime, timedelta
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench import ingest_bench as ib  # noqa: E402

CREDENTIALS = {"AWS_ACCESS_KEY_ID": "bench", "AWS_SECRET_ACCESS_KEY": "bench", "AWS_DEFAULT_REGION": "us-east-1"}


def agent_images() -> tuple[bytes, bytes, tuple[int, int]]:
    """The bench's desktop as the agent sends it: a JPEG about 1280 px wide, and its thumbnail."""
    from PIL import Image

    from agent import capture

    picture = Image.open(io.BytesIO(ib.desktop_webp())).convert("RGB")
    shot = capture.encode(capture.shrink(picture))
    small, size = capture.thumbnail(shot)
    return shot, small, size


def start_moto(port: int, cpus: list[int]) -> subprocess.Popen:
    command = [sys.executable, "-m", "moto.server", "-H", "127.0.0.1", "-p", str(port)]
    if cpus and shutil.which("taskset"):
        command = ["taskset", "-c", ",".join(map(str, cpus)), *command]
    moto = subprocess.Popen(command, env={**os.environ, **CREDENTIALS}, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        try:
            httpx.get(f"http://127.0.0.1:{port}/", timeout=1)
            return moto
        except httpx.HTTPError:
            time.sleep(0.2)  # still starting
    moto.kill()
    raise RuntimeError("moto's server did not start")


def meta(session_id: int, start: datetime, objects: dict | None = None) -> str:
    body = {"session_id": session_id, "slot_start": start.isoformat(), "agent_version": "bench", "memo": "benchmark",
            "minutes": [{"keys": 31, "mouse": 57}] * 10,
            "screenshot_at": (start + timedelta(seconds=ib.SLOT_SECONDS / 2)).isoformat()}
    return json.dumps(body | ({"objects": objects} if objects else {}))


async def one_slot(client: httpx.AsyncClient, token: str, session_id: int, start: datetime, images, direct: bool) -> int:
    shot, small, (width, height) = images
    auth = {"Authorization": f"Bearer {token}"}
    if not direct:
        files = {"meta": (None, meta(session_id, start), "application/json"), "screenshot": ("s.jpg", shot, "image/jpeg"),
                 "thumbnail": ("t.webp", small, "image/webp")}
        return (await client.post("/api/v1/agent/slots", files=files, headers=auth)).status_code
    parts = {"screenshot": shot, "thumbnail": small}
    digests = {part: hashlib.sha256(data).hexdigest() for part, data in parts.items()}
    asked = await client.post("/api/v1/agent/uploads", headers=auth, json={
        "session_id": session_id, "slot_start": start.isoformat(), "parts": list(parts),
        "sizes": [len(d) for d in parts.values()], "sha256s": list(digests.values())})
    if asked.status_code != 200:
        return asked.status_code
    objects = {}
    for target in asked.json()["targets"]:
        part = target["part"]
        put = await client.put(target["url"], content=parts[part], headers=target["headers"])
        if put.status_code != 200:
            return 900 + put.status_code // 100  # the bucket refused: counted apart
        objects[part] = {"key": target["key"], "size": len(parts[part]), "sha256": digests[part]}
    objects["screenshot"] |= {"width": width, "height": height}
    files = {"meta": (None, meta(session_id, start, objects), "application/json")}
    return (await client.post("/api/v1/agent/slots", files=files, headers=auth)).status_code


async def agents_run(base: str, agents, started: datetime, indices: list[int], images, direct: bool, rate: float,
                     seconds: float) -> Counter:
    statuses, interval = Counter(), len(agents) / rate
    end = time.monotonic() + seconds

    async def one(n: int, agent) -> None:
        due = time.monotonic() + n * interval / len(agents)
        async with httpx.AsyncClient(base_url=base, timeout=30) as client:
            while time.monotonic() < end:
                await asyncio.sleep(max(0.0, due - time.monotonic()))
                due += interval
                start = started + timedelta(seconds=ib.SLOT_SECONDS * indices[n])
                indices[n] += 1
                statuses[await one_slot(client, agent.token, agent.session_id, start, images, direct)] += 1

    await asyncio.gather(*(one(n, agent) for n, agent in enumerate(agents)))
    return statuses


def bench_database(label: str, url: str, args, moto_url: str, server_cpus: list[int]) -> list[dict]:
    import boto3

    data_dir = Path(tempfile.mkdtemp(prefix="tally-direct-bench-", dir=args.data_dir))
    bucket = f"bench-{os.getpid()}-{int(time.time())}"
    boto3.client("s3", endpoint_url=moto_url, **_boto_credentials()).create_bucket(Bucket=bucket)
    started = datetime.now(UTC).replace(microsecond=0) - timedelta(hours=11)
    started -= timedelta(seconds=started.timestamp() % ib.SLOT_SECONDS)
    agents = ib.prepare(url, data_dir, args.agents, started)
    port = ib.free_port()
    env = {**CREDENTIALS, "BENCH_BLOB_URL": f"s3://{bucket}/tally", "BENCH_S3_ENDPOINT_URL": moto_url}
    server = ib.start_server(url, data_dir, port, server_cpus, extra_env=env)
    images, indices, rows = agent_images(), [0] * len(agents), []
    try:
        for name, direct in (("warm-up", True), ("warm-up", False), *[(("direct", True), ("multipart", False))[i % 2]
                                                                      for i in range(2 * args.repeat)]):
            cpu = ib.cpu_seconds(server.pid)
            seconds = 2 if name == "warm-up" else args.seconds
            statuses = asyncio.run(agents_run(f"http://127.0.0.1:{port}", agents, started, indices, images, direct,
                                              args.rate, seconds))
            used = ib.cpu_seconds(server.pid) - cpu
            ok = sum(n for status, n in statuses.items() if 200 <= status < 300)
            if name != "warm-up":
                rows.append({"database": label, "phase": name, "slots": ok, "slots_per_s": ok / seconds,
                             "server_cpu_ms_per_slot": 1000 * used / ok if ok else float("nan"),
                             "answers": dict(sorted((str(k), v) for k, v in statuses.items())),
                             "load": ", ".join(f"{x:.1f}" for x in os.getloadavg())})
    finally:
        server.terminate()
        server.wait(30)
        shutil.rmtree(data_dir, ignore_errors=True)
    return rows


def _boto_credentials() -> dict:
    return {"aws_access_key_id": CREDENTIALS["AWS_ACCESS_KEY_ID"], "aws_secret_access_key": CREDENTIALS["AWS_SECRET_ACCESS_KEY"],
            "region_name": CREDENTIALS["AWS_DEFAULT_REGION"]}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--agents", type=int, default=16)
    parser.add_argument("--rate", type=float, default=40, help="slots per second, all agents together")
    parser.add_argument("--seconds", type=float, default=15)
    parser.add_argument("--repeat", type=int, default=2, help="phases of each kind, alternating")
    parser.add_argument("--postgres", help="SQLAlchemy URL of a PostgreSQL server to measure too")
    parser.add_argument("--server-cpus", default="0" if (os.cpu_count() or 1) > 1 else "")
    parser.add_argument("--data-dir", type=Path)
    args = parser.parse_args()
    server_cpus = [int(c) for c in args.server_cpus.split(",") if c]
    client_cpus = [c for c in range(os.cpu_count() or 1) if c not in server_cpus] or server_cpus
    ib._pin(client_cpus)
    images = agent_images()
    moto_port = ib.free_port()
    moto = start_moto(moto_port, client_cpus)
    rows, cleanups = [], []
    try:
        for label, url, cleanup in ib.databases(args.postgres, args.data_dir):
            cleanups.append(cleanup)
            rows += bench_database(label, url, args, f"http://127.0.0.1:{moto_port}", server_cpus)
    finally:
        moto.terminate()
        moto.wait(30)
        for cleanup in cleanups:
            cleanup()
    print(f"{args.agents} agents, {args.rate:g} slots/s in all, {args.seconds:g} s per phase, JPEG of "
          f"{len(images[0]) // 1024} KB + thumbnail of {len(images[1]) // 1024} KB; {os.cpu_count()} CPUs, server pinned to "
          f"{args.server_cpus or 'any'}, moto and the agents on the others\n")
    print("| database | upload path | slots/s | server CPU ms per slot | answers | load average |")
    print("| --- | --- | ---: | ---: | --- | --- |")
    for row in rows:
        print(f"| {row['database']} | {row['phase']} | {row['slots_per_s']:.0f} | {row['server_cpu_ms_per_slot']:.2f} | "
              f"{row['answers']} | {row['load']} |")


if __name__ == "__main__":
    main()
