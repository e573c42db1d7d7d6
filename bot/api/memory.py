"""How the HTTP process uses memory, set once for the upload path when the API is mounted.

Both settings are about CPU time per upload, measured with bench/ingest_bench.py.
"""

import ctypes
import gc
import sys

M_MMAP_THRESHOLD = -3  # from glibc's malloc.h
THRESHOLD = 1024 * 1024  # a screenshot's compressed bytes (at most 2 MB) rarely reach it; canvases do
_frozen = False


def keep_large_buffers_mapped() -> bool:
    """Pillow's WebP reader allocates a zeroed canvas of width x height x 4 bytes for every image it
    opens, though the check decodes nothing: ~6 MB for a 1600x900 screen. By default glibc raises
    its mmap threshold once such a buffer is freed, so the next ones come from the heap and are
    zeroed by hand, ~0.2 ms per upload. With a fixed threshold they are always mapped afresh: zero
    pages the check never touches, handed back at once. True when glibc took the setting."""
    if not sys.platform.startswith("linux"):
        return False
    try:
        return bool(ctypes.CDLL(None).mallopt(M_MMAP_THRESHOLD, THRESHOLD))
    except (OSError, AttributeError):
        return False


def freeze_startup_heap() -> None:
    """Moves what exists once the app is built (modules, classes, routes: ~130,000 objects) out of
    the garbage collector's sight, once per process. Otherwise every full collection walks all of
    it (~90 ms on the benchmark machine, the event loop stopped meanwhile), and the ingest, which
    allocates briskly, brings them on often. Frozen objects are still freed when nothing refers to
    them; only cycles among them would stay, and startup objects do not become garbage."""
    global _frozen
    if not _frozen:
        gc.collect()  # what is garbage already is not frozen with the rest
        gc.freeze()
        _frozen = True
