"""Chunks of a big read-only computation shared between this process and helper processes.

Python runs one thread at a time, so on Monday, when thousands of weeks close at once, only
processes put more than one core to work. This process works too, rather than waiting for its
helpers: it takes chunks from the front of the list and they take them from the back, so no
one waits for a helper that is still starting up. Each helper opens its own database engine
from the URL: connections cannot cross a process boundary.
"""

import multiprocessing
import os
from collections import deque
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from multiprocessing.pool import Pool
from typing import TypeVar

from storage.engine import Engine, in_memory, make_engine, url_of

Item = TypeVar("Item")
Result = TypeVar("Result")

_engine: Engine | None = None


def helper_count(engine: Engine, chunks: int) -> int:
    """How many helpers are worth starting: one fewer than the cores, as this process works
    too; none for one chunk, nor for a database only this process can see (SQLite in memory)."""
    cores = os.cpu_count() or 1
    return 0 if in_memory(engine) or chunks < 2 else min(cores - 1, chunks - 1)


@dataclass(frozen=True)
class Helpers:
    pool: Pool
    count: int


@contextmanager
def helpers(engine: Engine, chunks: int) -> Iterator[Helpers | None]:
    """The helper processes for `chunks` chunks, or None where none are worth starting."""
    count = helper_count(engine, chunks)
    if not count:
        yield None
        return
    url = url_of(engine)
    # spawn, not fork: the parent may run threads (the scheduler, the dispatcher) that fork would copy mid-step
    with multiprocessing.get_context("spawn").Pool(count, initializer=_open, initargs=(url,)) as pool:
        yield Helpers(pool, count)


def shared(compute: Callable[[Engine, Item], Result], items: list[Item], engine: Engine,
           helping: Helpers | None) -> Iterator[tuple[Item, Result]]:
    """(item, compute(engine, item)) for every item, each as soon as it is done (so not in order)."""
    if helping is None or len(items) < 2:
        return ((item, compute(engine, item)) for item in items)
    return _Sharing(compute, items, engine, helping).results()


class _Sharing:
    """Hands chunks from the back to the helpers, two each so none runs dry, and works through
    the front itself."""

    def __init__(self, compute: Callable, items: list, engine: Engine, helping: Helpers) -> None:
        self.compute, self.engine, self.pool = compute, engine, helping.pool
        self.waiting, self.running = deque(items), deque()
        self.ahead = 2 * helping.count

    def results(self) -> Iterator[tuple]:
        self._hand_out()
        while self.waiting or self.running:
            yield from self._finished()
            if self.waiting:
                item = self.waiting.popleft()
                yield item, self.compute(self.engine, item)
            elif self.running:
                item, result = self.running.popleft()
                yield item, result.get()
            self._hand_out()

    def _finished(self) -> Iterator[tuple]:
        while self.running and self.running[0][1].ready():
            item, result = self.running.popleft()
            yield item, result.get()
            self._hand_out()

    def _hand_out(self) -> None:
        while self.waiting and len(self.running) < self.ahead:
            item = self.waiting.pop()
            self.running.append((item, self.pool.apply_async(_Call(self.compute), (item,))))


def _open(url: str) -> None:
    global _engine
    _engine = make_engine(url)


class _Call:
    """compute with the helper's engine; a class, because a pool can send only what pickles."""

    def __init__(self, compute: Callable) -> None:
        self.compute = compute

    def __call__(self, item):
        return self.compute(_engine, item)
