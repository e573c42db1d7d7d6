"""Chunks of a big read-only computation spread over processes, one database engine in each.

Python runs one thread at a time, so on Monday, when thousands of weeks close at once, only
processes put more than one core to work. Each worker opens its own engine from the database
URL: connections cannot cross a process boundary.
"""

import multiprocessing
import os
from collections.abc import Callable, Iterator
from typing import TypeVar

from sqlalchemy import Engine

from storage.engine import make_engine

Item = TypeVar("Item")
Result = TypeVar("Result")

_engine: Engine | None = None


def worker_count(engine: Engine, chunks: int) -> int:
    """How many processes are worth starting: none for one chunk or one core, nor for a database
    only this process can see (SQLite in memory)."""
    cores = os.cpu_count() or 1
    in_memory = engine.dialect.name == "sqlite" and engine.url.database in (None, "", ":memory:")
    return 0 if in_memory or chunks < 2 or cores < 2 else min(cores, chunks)


def mapped(compute: Callable[[Engine, Item], Result], items: list[Item], engine: Engine, workers: int) -> Iterator[Result]:
    """compute(engine, item) for every item, in the items' order, in `workers` processes."""
    url = engine.url.render_as_string(hide_password=False)
    # spawn, not fork: the parent may run threads (the scheduler, the dispatcher) that fork would copy mid-step
    with multiprocessing.get_context("spawn").Pool(workers, initializer=_open, initargs=(url,)) as pool:
        yield from pool.imap(_Call(compute), items)


def _open(url: str) -> None:
    global _engine
    _engine = make_engine(url)


class _Call:
    """compute with the worker's engine; a class, because a pool can send only what pickles."""

    def __init__(self, compute: Callable) -> None:
        self.compute = compute

    def __call__(self, item):
        return self.compute(_engine, item)
