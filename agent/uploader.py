"""The uploader: sends the queue oldest first, for as long as it takes.

Network errors and 5xx are retried with exponential backoff and jitter, without end: being
offline for a week only means a week of slots waiting on disk. A 4xx other than the
device-level ones (401/403/408/429) is the server's final word on that item: it moves to the
rejected list with the reason, where `tally-agent status` shows it. A 401 means the server no
longer takes this device's token (revoked, or unknown there): nothing more is tried until the
device is paired again, and what is queued stays on disk for the new pairing to send.
"""

import json
import random
import secrets
import threading
import time
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path

from agent import direct
from agent.capture import thumbnail_of
from agent.client import ApiClient, ApiError, BucketRefused, Unreachable
from agent.queue import Item, Queue

FIRST_RETRY_SECONDS = 1.0
REPAIR_CHECK_SECONDS = 30.0  # unpaired: how often the agent's folder is read for a new pairing (no network)
MAX_RETRY_SECONDS = 300.0
DIRECT_RECHECK_SECONDS = 3600.0  # a server that said "no direct uploads" is asked again after this


def retry_delay(failures: int, cap: float, rng: random.Random) -> float:
    """Doubling up to a cap, half of it random so agents that failed together retry apart."""
    delay = min(max(cap, FIRST_RETRY_SECONDS), FIRST_RETRY_SECONDS * 2 ** min(failures - 1, 30))
    return delay / 2 + rng.uniform(0, delay / 2)


class Uploader:
    def __init__(
        self, queue_path: Path, client: ApiClient, on_change: Callable[[], None] = lambda: None,
        rng: random.Random | None = None, repaired: Callable[[], ApiClient | None] = lambda: None,
    ) -> None:  # fmt: skip
        self.queue_path, self.client, self.on_change, self.repaired = queue_path, client, on_change, repaired
        self.unpaired: str | None = None  # the server's 401 detail: nothing is sent until a new pairing
        self.rng = rng or secrets.SystemRandom()
        self.slot_seconds = 600
        self.problem: str | None = None  # why the last attempt failed, for the terminal line
        self.wake = threading.Event()
        # Held while an item is on its way: a Delete in the tracker window waits for it, then knows
        # for sure whether the slot is still here (drop it) or already at the server (delete it there).
        self.sending = threading.Lock()
        self.direct_off_until = 0.0  # monotonic time until which the server is known to take no direct uploads
        self._stopping = False
        self._thread = threading.Thread(target=self._run, name="uploader", daemon=True)

    def start(self) -> None:
        self._thread.start()

    def stop(self) -> None:
        self._stopping = True
        self.wake.set()
        self._thread.join(timeout=10)

    def flush(self, seconds: float) -> int:
        """On the way out: send what is queued, due or not, until it fails or time is up."""
        queue, deadline, sent = Queue(self.queue_path), time.monotonic() + seconds, 0
        try:
            while time.monotonic() < deadline and (item := queue.head()) and self.attempt(queue, item) in ("sent", "gone"):
                sent += 1
        finally:
            queue.close()
        return sent

    def attempt(self, queue: Queue, item: Item) -> str:
        """One try at the oldest item: 'sent', 'rejected', 'retry', or 'gone' (deleted meanwhile)."""
        with self.sending:
            if not queue.still_ready(item.id):  # deleted in the tracker window since head() read it
                return "gone"
            return self._attempt(queue, item)

    def _attempt(self, queue: Queue, item: Item) -> str:
        reply = None
        try:
            if item.kind == "slot":
                self._send_slot(item)
            else:
                reply = self.client.post_event(json.loads(item.body))
        except Unreachable as exc:
            self.problem = f"offline: {exc}"
            return "retry"
        except ApiError as exc:
            return self._refused(queue, item, exc)
        if item.local_clockin:  # the session opened: what was recorded offline goes as its own
            self._opened(queue, item, reply or {})
        queue.sent(item.id, datetime.now(UTC))
        self.problem = None
        return "sent"

    def _refused(self, queue: Queue, item: Item, exc: ApiError) -> str:
        if exc.status == 401:  # the token no longer works: every item behind this one would be refused too
            self.unpaired = exc.detail or str(exc)
            self.problem = unpaired_message(self.client.server, queue.pending())
            return "unpaired"
        if exc.retryable:
            self.problem = f"server: {exc}"
            return "retry"
        queue.reject(item.id, str(exc))
        if item.local_clockin and item.session_id is not None:
            queue.refuse_local(item.session_id, exc.detail or str(exc))
        return "rejected"

    @staticmethod
    def _opened(queue: Queue, item: Item, reply: dict) -> None:
        assert item.session_id is not None
        if isinstance(reply.get("session_id"), int):
            queue.attach(item.session_id, reply["session_id"])
        else:  # a server that does not say which session: the slots are held here, not sent astray
            queue.refuse_local(item.session_id, "the server did not say which session it opened; update it")

    def _send_slot(self, item: Item) -> None:
        """Straight to the bucket where the server allows it; otherwise (or if the bucket or the
        server refuses the stored image) the screenshot goes inside the multipart, as always."""
        if item.shot is not None and time.monotonic() >= self.direct_off_until:
            try:
                if direct.send_slot(self.client, item.body, item.shot, item.webcam) is not direct.OFF:
                    return
                self.direct_off_until = time.monotonic() + DIRECT_RECHECK_SECONDS
            except BucketRefused:
                pass
            except ApiError as exc:
                if exc.error not in ("object_missing", "object_mismatch"):
                    raise
        self.client.post_slot(item.body, item.shot, thumbnail_of(item.shot), item.webcam)

    def backoff(self, failures: int) -> float:
        # The cap shrinks with demo-length slots so a short test does not wait five minutes.
        return retry_delay(failures, min(MAX_RETRY_SECONDS, self.slot_seconds / 2), self.rng)

    def _run(self) -> None:
        queue, failures = Queue(self.queue_path), 0
        while not self._stopping:
            self.wake.clear()
            if self.unpaired and not self._paired_again():
                self.wake.wait(REPAIR_CHECK_SECONDS)
                continue
            item, wait = queue.head(), None
            if item is not None:
                wait = item.not_before - time.time()
            if item is not None and wait <= 0:
                outcome = self.attempt(queue, item)
                if outcome != "retry":
                    self.on_change()
                if outcome == "unpaired":
                    continue
                failures = failures + 1 if outcome == "retry" else 0
                wait = self.backoff(failures) if failures else 0
            if wait != 0:
                self.wake.wait(wait)
        queue.close()

    def _paired_again(self) -> bool:
        """`tally-agent pair` wrote a new token: the queue goes with it."""
        client = self.repaired()
        if client is None:
            return False
        self.client, self.unpaired, self.problem = client, None, None
        return True


def unpaired_message(server: str, waiting: int) -> str:
    return (f"This computer is no longer paired with {server} (its token was revoked or is unknown there), so "
            f"nothing more is sent. {waiting} recorded item(s) stay on this computer. To pair it again: /connect "
            "in chat, then tally-agent pair CODE --server URL.")
