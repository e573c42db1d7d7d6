"""`tally worker --metrics-port N`: the worker's own `/metrics` and `/healthz`.

The jobs and the outbox dispatcher run in the worker, so only the worker can count its job runs
(`tally_job_runs_total`, `tally_job_seconds`) and say whether it is the elected one; web processes
never run a job. The listener obeys the same rule as the web's `/metrics` (TALLY_METRICS_TOKEN, or
this machine only) and runs while the worker waits as a standby too (docs/architecture.md#operating).
"""

import asyncio
import contextlib
from collections.abc import Awaitable, Iterator
from typing import TypeVar

import uvicorn
from fastapi import FastAPI
from fastapi.responses import JSONResponse

from bot import metrics
from bot.api import clock
from bot.services.context import Context
from bot.settings import Settings

T = TypeVar("T")


class _Listener(uvicorn.Server):
    """Leaves SIGINT and SIGTERM to the worker, which stops the listener once it has stopped."""

    @contextlib.contextmanager
    def capture_signals(self) -> Iterator[None]:
        yield


def metrics_app(ctx: Context, settings: Settings) -> FastAPI:
    app = FastAPI(title="Tally worker", openapi_url=None, docs_url=None, redoc_url=None)
    app.state.ctx, app.state.settings = ctx, settings
    clock.install(app)
    app.include_router(metrics.router)

    @app.get("/healthz")
    def healthz() -> JSONResponse:
        """As the web's /healthz, and `elected` says whether this is the active worker."""
        return metrics.health(ctx, elected=metrics.is_elected())

    return app


async def serving_metrics(app: FastAPI, *, host: str, port: int, main: Awaitable[T]) -> T:
    """Runs `main` (the worker) with the metrics listener beside it, and stops the listener after."""
    server = _Listener(uvicorn.Config(app, host=host, port=port, log_config=None, log_level=None))
    listening = asyncio.create_task(server.serve())
    try:
        return await main
    finally:
        server.should_exit = True
        await listening
