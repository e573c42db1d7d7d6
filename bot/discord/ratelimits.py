"""Discord's rate limits as its answers report them: per-route buckets, and the global limit.

Routes share a bucket when Discord says so (X-RateLimit-Bucket); a bucket's count is kept per
major parameter (the channel), as Discord keeps it. Nothing here sleeps: the outbox dispatcher is
told how long to wait and tries again then.
"""

import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass


@dataclass
class Bucket:
    remaining: int
    reset_at: float  # on the limiter's clock


class RateLimits:
    def __init__(self, clock: Callable[[], float] = time.monotonic) -> None:
        self.clock = clock
        self.bucket_of_route: dict[str, str] = {}
        self.buckets: dict[str, Bucket] = {}
        self.global_until = 0.0

    def _key(self, route: str, major: str) -> str:
        return f"{self.bucket_of_route.get(route, route)}|{major}"

    def wait(self, route: str, major: str) -> float | None:
        """Seconds to wait before calling `route` for `major`, or None to go ahead now."""
        now = self.clock()
        if self.global_until > now:
            return self.global_until - now
        bucket = self.buckets.get(self._key(route, major))
        if bucket is not None and bucket.remaining <= 0 and bucket.reset_at > now:
            return bucket.reset_at - now
        return None

    def learn(self, route: str, major: str, headers: Mapping[str, str]) -> None:
        """Remembers what an answer's X-RateLimit-* headers say about its bucket."""
        if headers.get("X-RateLimit-Bucket"):
            self.bucket_of_route[route] = headers["X-RateLimit-Bucket"]
        remaining, reset_after = headers.get("X-RateLimit-Remaining"), headers.get("X-RateLimit-Reset-After")
        if remaining is not None and reset_after is not None:
            self.buckets[self._key(route, major)] = Bucket(int(remaining), self.clock() + float(reset_after))

    def limited(self, route: str, major: str, headers: Mapping[str, str], body: Mapping) -> float:
        """A 429 answer: how long to wait. A global limit holds every route; otherwise only this bucket."""
        after = float(body.get("retry_after") or headers.get("Retry-After") or 1.0)
        if body.get("global") or headers.get("X-RateLimit-Global") or headers.get("X-RateLimit-Scope") == "global":
            self.global_until = self.clock() + after
        else:
            self.buckets[self._key(route, major)] = Bucket(0, self.clock() + after)
        return after
