"""Fixtures for the agent's tests: the fake agent API, and an Xvfb display of their own."""

import os
import shutil
import subprocess

import pytest

from tests.agent.fake_server import FakeServer


@pytest.fixture
def server():
    fake = FakeServer().start()
    yield fake
    fake.stop()


@pytest.fixture(scope="session")
def xdisplay():
    """A fresh Xvfb; it picks a free display number itself (-displayfd), so parallel runs cannot collide."""
    if not shutil.which("Xvfb"):
        pytest.skip("Xvfb is not installed (apt-get install xvfb xdotool)")
    read_end, write_end = os.pipe()
    xvfb = subprocess.Popen(
        ["Xvfb", "-displayfd", str(write_end), "-screen", "0", "1920x1080x24", "-nolisten", "tcp"],
        pass_fds=(write_end,), stderr=subprocess.DEVNULL,
    )  # fmt: skip
    os.close(write_end)
    with os.fdopen(read_end) as pipe:
        number = pipe.readline().strip()
    yield f":{number}"
    xvfb.terminate()
    xvfb.wait(timeout=10)


@pytest.fixture
def xdotool(xdisplay):
    if not shutil.which("xdotool"):
        pytest.skip("xdotool is not installed (apt-get install xdotool)")

    def run(*args: str) -> None:
        subprocess.run(["xdotool", *args], check=True, env={**os.environ, "DISPLAY": xdisplay})

    return run
