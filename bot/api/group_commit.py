"""Group commit: concurrent uploads are handed to one writer, which records them together.

While the writer records one group (in a worker thread: the database and the files block), the
uploads that arrive meanwhile wait; when it is done, they form the next group. Under light load a
group is a single upload and nothing waits longer than its own write; under heavy load the groups
grow, and the fixed cost of a transaction and of making the screenshots durable is shared.

One writer, not several: the work is bound by the CPU, so a second writer would only split the
groups in two and pay each fixed cost twice. (Behind several web processes, each has its own.)
"""

import asyncio
from collections.abc import Callable, Sequence
from typing import Generic, TypeVar

from anyio import to_thread

Item, Answer = TypeVar("Item"), TypeVar("Answer")


class GroupCommit(Generic[Item, Answer]):
    """`record(items)` returns an answer per item, in order; an Exception among them is raised to
    that item's sender only. A group holds at most `largest` items."""

    def __init__(self, record: Callable[[Sequence[Item]], Sequence[Answer | Exception]], *, largest: int = 256) -> None:
        self.record, self.largest = record, largest
        self._waiting: list[tuple[Item, asyncio.Future]] = []
        self._writer: asyncio.Task | None = None

    async def submit(self, item: Item) -> Answer:
        future = asyncio.get_running_loop().create_future()
        self._waiting.append((item, future))
        if self._writer is None or self._writer.done():  # done: its loop went away mid-write
            self._writer = asyncio.create_task(self._write())
        answer = await future
        if isinstance(answer, Exception):
            raise answer
        return answer

    async def _write(self) -> None:
        try:
            while self._waiting:
                group, self._waiting = self._waiting[:self.largest], self._waiting[self.largest:]
                await self._record(group)
        finally:
            self._writer = None

    async def _record(self, group: list[tuple[Item, asyncio.Future]]) -> None:
        try:
            answers = await to_thread.run_sync(self.record, [item for item, _ in group])
        except Exception as error:  # noqa: BLE001 - record() answers per item; this is the last line of defence
            answers = [error] * len(group)
        for (_, future), answer in zip(group, answers, strict=True):
            if not future.done():  # a sender that went away has nobody to answer
                future.set_result(answer)
