"""The HTTP server of `tally serve` and `tally web`: uvicorn, stopped quickly and cleanly.

Hosts give a process 10 s (Heroku) to 30 s (Kubernetes) after SIGTERM before they kill it. An
idle server exits at once: long-polling agents get their answer when shutdown starts, instead of
holding the process for the rest of their wait, and requests still running after GRACE seconds
are cancelled (an upload not answered is sent again by its agent).
"""

import contextlib
import signal
from collections.abc import Callable, Iterator

import uvicorn
from fastapi import FastAPI

GRACE = 3


class TallyServer(uvicorn.Server):
    """Stops on a signal as uvicorn does, but does not raise the signal again afterwards, which
    would cancel the worker beside it before its messages in flight are settled."""

    def __init__(self, app: FastAPI, *, host: str, port: int, on_shutdown: Callable[[], None] = lambda: None) -> None:
        super().__init__(uvicorn.Config(app, host=host, port=port, log_config=None, log_level=None,
                                        timeout_graceful_shutdown=GRACE))
        self.on_shutdown = on_shutdown
        self.app = app

    @contextlib.contextmanager
    def capture_signals(self) -> Iterator[None]:
        previous = {signum: signal.signal(signum, self.handle_exit) for signum in (signal.SIGINT, signal.SIGTERM)}
        try:
            yield
        finally:
            for signum, handler in previous.items():
                signal.signal(signum, handler)

    async def shutdown(self, sockets=None) -> None:
        notifier = getattr(self.app.state, "notifier", None)
        if notifier is not None:
            notifier.close()
        self.on_shutdown()
        await super().shutdown(sockets)
