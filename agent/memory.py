"""How the agent asks glibc's allocator to keep its memory small (BENCHMARKS.md, desktop agent).

Two of glibc's defaults cost a long-running agent several MB for nothing. Each thread that
allocates gets its own arena (up to eight per core), and freed memory stays in it; the agent has
half a dozen threads that each touch an image or a request now and then. And after the first large
block is freed, glibc raises the size from which blocks are mapped on their own (up to 32 MB), so
a screenshot's buffers (6-8 MB for a 1080p screen) land in an arena afterwards and stay resident.
Two arenas and a fixed threshold of 256 KiB give large blocks back to the system the moment they
are freed. Called once, before any thread starts; elsewhere than glibc it does nothing.
"""

import ctypes

M_MMAP_THRESHOLD = -3  # mallopt's parameter numbers, from glibc's malloc.h
M_ARENA_MAX = -8
ARENAS = 2
MAP_FROM = 256 * 1024  # bytes: blocks at least this large get their own mapping


def keep_small() -> bool:
    """True when glibc took the settings."""
    try:
        libc = ctypes.CDLL("libc.so.6")
        mallopt = libc.mallopt
    except (OSError, AttributeError):  # not glibc (macOS, Windows, musl without mallopt)
        return False
    return bool(mallopt(M_ARENA_MAX, ARENAS)) and bool(mallopt(M_MMAP_THRESHOLD, MAP_FROM))
