"""The time a request is handled at: the app's clock, which tests replace with a fixed one."""

from datetime import UTC, datetime

from fastapi import FastAPI, Request


def system_clock() -> datetime:
    return datetime.now(UTC)


def install(app: FastAPI) -> None:
    """The system clock, unless another part already installed one; tests set `app.state.clock`."""
    if not hasattr(app.state, "clock"):
        app.state.clock = system_clock


def app_now(app: FastAPI) -> datetime:
    return app.state.clock()


async def request_now(request: Request) -> datetime:
    """A dependency; async so FastAPI calls it in place rather than in a worker thread."""
    return app_now(request.app)
