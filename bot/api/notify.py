"""Long polls of agent state: woken at once by changes in this process, and by a periodic check
of the database for changes made by other web processes.

Services call `Notifier.changed` (through Context.on_change) after their commit, from whatever
thread they run in; waiting requests live on the event loop. The periodic check reads the state
of every waiting freelancer in one query, so its cost does not grow with the number of agents.
"""

import asyncio
import logging
import threading
from collections.abc import AsyncIterator, Callable, Collection
from contextlib import asynccontextmanager

from starlette.concurrency import run_in_threadpool

from storage.outage import DatabaseUnavailable

log = logging.getLogger("tally.api")

Marks = Callable[[Collection[int]], dict[int, str]]


class Waiter:
    def __init__(self, member_id: int, loop: asyncio.AbstractEventLoop) -> None:
        self.member_id, self.loop = member_id, loop
        self.mark: str | None = None  # the state the agent was last told; set once it is read
        self._woken = asyncio.Event()

    def wake(self) -> None:
        """Callable from any thread."""
        try:
            self.loop.call_soon_threadsafe(self._woken.set)
        except RuntimeError:
            pass  # the loop has closed: nobody is waiting any more

    async def wait(self, seconds: float) -> bool:
        """True when woken before `seconds` passed."""
        try:
            await asyncio.wait_for(self._woken.wait(), seconds)
        except TimeoutError:
            return False
        return True


class Notifier:
    def __init__(self, marks: Marks, recheck_seconds: float = 2.0) -> None:
        self.marks, self.recheck_seconds = marks, recheck_seconds
        self._waiters: dict[int, set[Waiter]] = {}
        self._lock = threading.Lock()
        self._task: asyncio.Task | None = None
        self.closed = False

    def close(self) -> None:
        """The server is stopping: every waiting agent gets its answer now, not at the end of
        its wait, so the process can exit at once (the agent asks again elsewhere or later)."""
        with self._lock:
            self.closed = True
            waiting = [w for waiters in self._waiters.values() for w in waiters]
        for waiter in waiting:
            waiter.wake()

    def changed(self, member_id: int) -> None:
        """A freelancer's state changed in this process; wakes their waiting agents."""
        with self._lock:
            waiting = list(self._waiters.get(member_id, ()))
        for waiter in waiting:
            waiter.wake()

    def listeners(self) -> int:
        """How many requests are waiting right now, having read the state they wait on."""
        return len(self._settled())

    @asynccontextmanager
    async def listening(self, member_id: int) -> AsyncIterator[Waiter]:
        """Register before reading the state, so a change in between still wakes the waiter."""
        waiter = Waiter(member_id, asyncio.get_running_loop())
        with self._lock:
            self._waiters.setdefault(member_id, set()).add(waiter)
            if self.closed:
                waiter.wake()
        self._ensure_rechecks(waiter.loop)
        try:
            yield waiter
        finally:
            with self._lock:
                self._waiters[member_id].discard(waiter)
                if not self._waiters[member_id]:
                    del self._waiters[member_id]

    def _ensure_rechecks(self, loop: asyncio.AbstractEventLoop) -> None:
        if self._task is None or self._task.done() or self._task.get_loop() is not loop:
            self._task = loop.create_task(self._recheck())

    def _settled(self) -> list[Waiter]:
        with self._lock:
            return [w for waiters in self._waiters.values() for w in waiters if w.mark is not None]

    async def _recheck(self) -> None:
        while True:
            await asyncio.sleep(self.recheck_seconds)
            with self._lock:
                if not self._waiters:
                    self._task = None  # the next waiter starts a new one
                    return
            await self._compare(self._settled())

    async def _compare(self, waiting: list[Waiter]) -> None:
        if not waiting:
            return
        try:
            marks = await run_in_threadpool(self.marks, {w.member_id for w in waiting})
        except DatabaseUnavailable:  # logged once for the whole outage
            return
        except Exception:  # a database hiccup must not end the checks for everyone
            log.exception("re-checking the state of waiting agents failed")
            return
        for waiter in waiting:
            if marks.get(waiter.member_id) != waiter.mark:
                waiter.wake()
