"""The app the ingest benchmark serves: Tally's own, plus a bare endpoint that only reads and
validates the same upload, for comparison. Configured from the environment by ingest_bench.py.

    uvicorn bench.ingest_app:build --factory
"""

import os
from pathlib import Path

from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse

from bot.api.uploads import read_upload
from bot.app import create_app
from bot.services.context import Context
from bot.settings import Settings
from storage.blobs import FolderBlobs
from storage.engine import make_engine


def build() -> FastAPI:
    data = Path(os.environ["BENCH_DATA_DIR"])
    ctx = Context(engine=make_engine(os.environ["BENCH_DATABASE_URL"]), blobs=FolderBlobs(data / "screenshots"),
                  slot_seconds=int(os.environ["BENCH_SLOT_SECONDS"]))
    app = create_app(ctx, Settings(_env_file=None))

    @app.post("/bench/bare", include_in_schema=False)
    async def bare(request: Request) -> JSONResponse:
        """The same multipart body, read and validated the same way; nothing is checked or stored."""
        upload = await read_upload(request)
        return JSONResponse({"slot_start": upload.report.slot_start.isoformat(), "bytes": len(upload.screenshot or b"")})

    return app
