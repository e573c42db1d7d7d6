"""The fake Discord for a test that blocks: its own event loop in a background thread.

The end-to-end tests wait on other processes with plain sleeps and subprocess calls, which would
stall a loop they shared with the fake; so the fake's gateway and REST run on a loop of their
own, and every call below hands a coroutine to that loop and waits for its result.
"""

import asyncio
import threading
from collections.abc import Callable
from typing import Self

from tests.discord.fake import EPHEMERAL, FakeDiscord, Reply
from tests.discord.talk import Discord, Person

BOT_ELSEWHERE = 30.0  # seconds: the bot runs in another process on a busy machine, not in the test's loop


class FarAwayFakeDiscord(FakeDiscord):
    """The unit tests' fake, waiting longer for a bot that is a separate process."""

    async def wait_for(self, found: Callable[[], object], timeout: float = BOT_ELSEWHERE):
        return await super().wait_for(found, timeout)


class DiscordSide:
    """The fake Discord on its own thread, and people sending commands and clicks through it."""

    def __init__(self) -> None:
        self.loop = asyncio.new_event_loop()
        self.thread = threading.Thread(target=self.loop.run_forever, name="fake-discord", daemon=True)
        self.fake = FarAwayFakeDiscord()
        self.people = Discord(self.fake)

    def start(self) -> Self:
        self.thread.start()
        self._run(self.fake.start())
        return self

    def stop(self) -> None:
        self._run(self.fake.stop())
        self.loop.call_soon_threadsafe(self.loop.stop)
        self.thread.join(10)
        self.loop.close()

    def _run(self, work, timeout: float = 2 * BOT_ELSEWHERE):
        return asyncio.run_coroutine_threadsafe(work, self.loop).result(timeout)

    def wait_for(self, found: Callable[[], object], timeout: float = BOT_ELSEWHERE):
        """Waits until `found()` holds for what the bot has sent, and returns it (raises TimeoutError if never)."""
        return self._run(self.fake.wait_for(found, timeout))

    def connected(self, start: Callable[[], object]) -> None:
        """Runs `start` (a server start) and waits until that server's bot has logged in and registered its commands."""
        before = self.fake.syncs
        start()
        self.wait_for(lambda: self.fake.syncs > before, timeout=60)

    def slash(self, who: Person, path: str, **options) -> Reply:
        return self._run(self.people.slash(who, path, **options))

    def click(self, who: Person, message: dict, label: str) -> Reply:
        return self._run(self.people.click(who, message, label))


def private(reply: Reply) -> bool:
    """Only the asker sees it: an ephemeral answer, or an ephemeral follow-up after a deferral."""
    return reply.ephemeral or bool((reply.body.get("flags") or 0) & EPHEMERAL)
