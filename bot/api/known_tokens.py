"""Device tokens this process has lately found in the database, so the upload route can check a
token before it reads an upload's images, at no cost to the agents that upload every slot.

An unknown token is looked up once (one indexed read) and answered 401 before any image work: an
unauthenticated upload costs no decode. A token found is remembered for TTL seconds, by its hash;
it only lets the upload on to its image check. The slot's own transaction checks the token again
and alone decides (a revocation counts from its commit), so a remembered token never lets a
revoked device record anything.
"""

import hashlib
import time
from collections import OrderedDict
from collections.abc import Callable

TTL = 60.0  # seconds
LARGEST = 100_000  # tokens remembered: far more devices than one web process serves


class KnownTokens:
    def __init__(self, ttl: float = TTL, largest: int = LARGEST, clock: Callable[[], float] = time.monotonic) -> None:
        self.ttl, self.largest, self.clock = ttl, largest, clock
        self._until: OrderedDict[bytes, float] = OrderedDict()

    def __contains__(self, token: str) -> bool:
        until = self._until.get(_key(token))
        return until is not None and until > self.clock()

    def add(self, token: str) -> None:
        key = _key(token)
        self._until[key] = self.clock() + self.ttl
        self._until.move_to_end(key)
        while len(self._until) > self.largest:  # only tokens found in the database get here
            self._until.popitem(last=False)


def _key(token: str) -> bytes:
    return hashlib.sha256(token.encode()).digest()
