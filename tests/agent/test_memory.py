"""The agent's allocator settings (agent/memory.py) take on glibc and are harmless twice."""

import sys

import pytest

from agent.memory import keep_small


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="glibc's mallopt")
def test_glibc_takes_the_agents_allocator_settings():
    assert keep_small() is True
    assert keep_small() is True  # a second call (tests, a restarted loop) changes nothing
