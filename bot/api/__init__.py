"""The agent HTTP API, mounted on the app by `mount`."""

from anyio import CapacityLimiter
from fastapi import FastAPI
from sqlalchemy.pool import QueuePool

from bot.api import clock, errors
from bot.api.clock import app_now
from bot.api.notify import Notifier
from bot.api.routes import router
from bot.api.throttle import AttemptLimiter
from bot.services.context import Context
from bot.services.watching import state_marks


# Waiting agents whose state another web process changed hear of it within this many seconds.
RECHECK_SECONDS = 2.0


def mount(app: FastAPI) -> None:
    ctx: Context = app.state.ctx
    clock.install(app)
    errors.install(app)
    app.state.pair_limiter = AttemptLimiter()
    app.state.ingest_limiter = ingest_limiter(ctx)
    app.state.notifier = Notifier(lambda ids: state_marks(ctx, ids, now=app_now(app)), RECHECK_SECONDS)
    _listen(ctx, app.state.notifier)
    app.include_router(router)


def ingest_limiter(ctx: Context) -> CapacityLimiter:
    """How many uploads are written at once. SQLite takes one writer at a time; more threads would
    only sleep in its busy handler. A server database gets as many as the engine keeps connections:
    beyond that, each upload would open (and close) a connection of its own."""
    pool = ctx.engine.pool
    if ctx.engine.dialect.name == "sqlite" or not isinstance(pool, QueuePool):
        return CapacityLimiter(1)
    return CapacityLimiter(max(1, pool.size()))


def _listen(ctx: Context, notifier: Notifier) -> None:
    """Chains the notifier after whatever else already listens to state changes."""
    before = ctx.on_change

    def on_change(member_id: int) -> None:
        before(member_id)
        notifier.changed(member_id)

    ctx.on_change = on_change
