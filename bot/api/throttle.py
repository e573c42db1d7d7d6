"""Failed pairing attempts per address: guessing codes gets slow long before it gets lucky.

The count lives in this process's memory; behind several web processes each keeps its own, which
still bounds guessing to (processes x limit) per window.
"""

import math
import threading
from collections import OrderedDict, deque
from datetime import datetime, timedelta


class AttemptLimiter:
    def __init__(self, limit: int = 10, window: timedelta = timedelta(minutes=10), max_addresses: int = 100_000):
        self.limit, self.window, self.max_addresses = limit, window, max_addresses
        self._failures: OrderedDict[str, deque[datetime]] = OrderedDict()
        self._lock = threading.Lock()

    def retry_after(self, address: str, *, now: datetime) -> int | None:
        """Seconds until `address` may try again, or None when it may try now."""
        with self._lock:
            recent = self._prune(self._failures.get(address, deque()), now)
            if len(recent) < self.limit:
                return None
            return max(1, math.ceil((recent[0] + self.window - now).total_seconds()))

    def failed(self, address: str, *, now: datetime) -> None:
        with self._lock:
            self._prune(self._failures.setdefault(address, deque()), now).append(now)
            self._failures.move_to_end(address)
            while len(self._failures) > self.max_addresses:
                self._failures.popitem(last=False)  # the address quiet for longest is forgotten first

    def _prune(self, times: deque[datetime], now: datetime) -> deque[datetime]:
        while times and times[0] <= now - self.window:
            times.popleft()
        return times
