"""The app the ingest benchmark serves: Tally's own, plus two endpoints for comparison, configured
from the environment by ingest_bench.py.

  * /bench/bare    reads and validates the same upload; nothing is checked or stored.
  * /bench/minimal the least an honest ingest endpoint does: the token looked up, the multipart
                   body read and the meta validated, the image's header checked, its sha256, one
                   file written and one row inserted, one transaction per upload, no rules.

    uvicorn bench.ingest_app:build --factory
"""

import hashlib
import os
from pathlib import Path

from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse
from sqlalchemy import (
    Column,
    DateTime,
    Engine,
    Integer,
    MetaData,
    String,
    Table,
    bindparam,
    insert,
    select,
)
from starlette.concurrency import run_in_threadpool

from bot import body_limits
from bot.api.auth import token_of
from bot.api.uploads import read_upload
from bot.http_app import create_app
from bot.services.context import Context
from bot.settings import Settings
from storage.blobs import open_blobs
from storage.engine import make_engine
from storage.tables import Device

MINIMAL = Table(
    "bench_minimal_upload", MetaData(),
    Column("id", Integer, primary_key=True), Column("device_id", Integer, nullable=False),
    Column("slot_start", DateTime(timezone=True), nullable=False), Column("sha256", String(64), nullable=False),
    Column("path", String(300), nullable=False),
)
DEVICES = Device.__table__
TOKEN = select(DEVICES.c.id).where(DEVICES.c.token_hash == bindparam("hash"), DEVICES.c.revoked_at.is_(None))
HEADERS = (b"RIFF", b"\xff\xd8\xff", b"\x89PNG\r\n\x1a\n")


def build() -> FastAPI:
    data = Path(os.environ["BENCH_DATA_DIR"])
    engine = make_engine(os.environ["BENCH_DATABASE_URL"])
    # BENCH_BLOB_URL (s3://bucket/prefix) with BENCH_S3_ENDPOINT_URL: a bucket, as bench/direct_bench.py measures.
    blobs = open_blobs(os.environ.get("BENCH_BLOB_URL"), data, os.environ.get("BENCH_S3_ENDPOINT_URL"))
    ctx = Context(engine=engine, blobs=blobs, slot_seconds=int(os.environ["BENCH_SLOT_SECONDS"]))
    # The comparison endpoints take the same bodies as the slot upload.
    body_limits.LIMITS["/bench/"] = body_limits.LIMITS["/api/v1/agent/slots"]
    app = create_app(ctx, Settings(_env_file=None))
    MINIMAL.create(engine, checkfirst=True)
    files = data / "minimal"
    files.mkdir(parents=True, exist_ok=True)

    @app.post("/bench/bare", include_in_schema=False)
    async def bare(request: Request) -> JSONResponse:
        upload = await read_upload(request)
        return JSONResponse({"slot_start": upload.report.slot_start.isoformat(), "bytes": len(upload.screenshot or b"")})

    @app.post("/bench/minimal", include_in_schema=False)
    async def minimal(request: Request) -> JSONResponse:
        token = token_of(request)
        upload = await read_upload(request)
        image = upload.screenshot or b""
        if not image.startswith(HEADERS):
            return JSONResponse({"error": "invalid", "detail": "not an image"}, status_code=422)
        digest = hashlib.sha256(image).hexdigest()
        stored = await run_in_threadpool(_store, engine, files, token, upload.report.slot_start, image, digest)
        if stored is None:
            return JSONResponse({"error": "unauthorized", "detail": "unknown token"}, status_code=401)
        return JSONResponse({"id": stored, "sha256": digest}, status_code=201)

    return app


def _store(engine: Engine, files: Path, token: str, slot_start, image: bytes, digest: str) -> int | None:
    with engine.begin() as conn:
        device = conn.execute(TOKEN, {"hash": hashlib.sha256(token.encode()).hexdigest()}).scalar()
        if device is None:
            return None
        path = files / f"{device}-{slot_start.timestamp():.0f}-{digest[:16]}.webp"
        temporary = path.with_suffix(".part")
        temporary.write_bytes(image)
        temporary.replace(path)
        row = {"device_id": device, "slot_start": slot_start, "sha256": digest, "path": path.name}
        return conn.execute(insert(MINIMAL).returning(MINIMAL.c.id), row).scalar_one()
