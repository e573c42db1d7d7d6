"""The agent HTTP API, mounted on the app by `mount`."""

from functools import partial

from fastapi import FastAPI

from bot.api import clock, errors, memory
from bot.api.clock import app_now
from bot.api.group_commit import GroupCommit
from bot.api.known_tokens import KnownTokens
from bot.api.notify import Notifier
from bot.api.agent_routes import router
from bot.api.throttle import AttemptLimiter
from bot.services import ingest
from bot.services.context import Context
from bot.services.watching import state_marks

# Waiting agents whose state another web process changed hear of it within this many seconds.
RECHECK_SECONDS = 2.0


def mount(app: FastAPI) -> None:
    ctx: Context = app.state.ctx
    clock.install(app)
    errors.install(app)
    memory.keep_large_buffers_mapped()
    app.state.pair_limiter = AttemptLimiter()
    app.state.slot_writer = slot_writer(ctx)
    app.state.known_tokens = KnownTokens()
    app.state.notifier = Notifier(lambda ids: state_marks(ctx, ids, now=app_now(app)), RECHECK_SECONDS)
    _listen(ctx, app.state.notifier)
    app.include_router(router)
    memory.freeze_startup_heap()


def slot_writer(ctx: Context) -> GroupCommit:
    """Uploads are recorded in groups, one transaction each (see group_commit)."""
    return GroupCommit(partial(ingest.record_uploads, ctx))


def _listen(ctx: Context, notifier: Notifier) -> None:
    """Chains the notifier after whatever else already listens to state changes."""
    before = ctx.on_change

    def on_change(member_id: int) -> None:
        before(member_id)
        notifier.changed(member_id)

    ctx.on_change = on_change
