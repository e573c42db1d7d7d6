"""A PostgreSQL cluster of a test's own (initdb in a temporary folder, on its own port), which the
test may stop and start again. The server the rest of the suite shares is never touched."""

import glob
import os
import shutil
import socket
import subprocess
import tempfile
import time
from pathlib import Path

import pytest


def _binaries() -> Path | None:
    found = shutil.which("initdb")
    if found:
        return Path(found).parent
    versions = sorted(glob.glob("/usr/lib/postgresql/*/bin/initdb"))
    return Path(versions[-1]).parent if versions else None


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class PrivateCluster:
    def __init__(self, bin_dir: Path) -> None:
        self.bin = bin_dir
        self.port = _free_port()
        # Not under pytest's tmp_path: its folders are private to root, and initdb refuses to run as root.
        self.root = Path(tempfile.mkdtemp(prefix="tally-pg-"))
        self.data, self.log = self.root / "data", self.root / "server.log"
        self.as_user = os.geteuid() == 0
        if self.as_user:
            os.chmod(self.root, 0o755)
            shutil.chown(self.root, "postgres")

    @property
    def url(self) -> str:
        return f"postgresql+psycopg://postgres@127.0.0.1:{self.port}/postgres"

    def _run(self, *args: str) -> None:
        command = [str(self.bin / args[0]), *args[1:]]
        if self.as_user:
            command = ["runuser", "-u", "postgres", "--", *command]
        done = subprocess.run(command, capture_output=True, text=True, timeout=120, check=False)
        assert done.returncode == 0, f"{args[0]} failed: {done.stdout}{done.stderr}"

    def create(self) -> None:
        self._run("initdb", "-D", str(self.data), "-U", "postgres", "-A", "trust", "--no-sync", "-E", "UTF8")

    def start(self) -> None:
        options = f"-p {self.port} -k {self.root} -c listen_addresses=127.0.0.1 -c fsync=off"
        self._run("pg_ctl", "-D", str(self.data), "-o", options, "-l", str(self.log), "-w", "start")

    def stop(self) -> None:
        """A fast shutdown, as a restart by an operator does: open connections are cut."""
        self._run("pg_ctl", "-D", str(self.data), "-m", "fast", "-w", "stop")

    def running(self) -> bool:
        return (self.data / "postmaster.pid").exists()

    def remove(self) -> None:
        if self.running():
            self.stop()
        shutil.rmtree(self.root, ignore_errors=True)


def own_cluster():
    """The fixture `private_postgres` (tests/conftest.py): a running cluster, removed afterwards."""
    bin_dir = _binaries()
    if bin_dir is None:
        pytest.skip("PostgreSQL's server programs (initdb, pg_ctl) are not installed")
    cluster = PrivateCluster(bin_dir)
    try:
        cluster.create()
        cluster.start()
        yield cluster
    finally:
        cluster.remove()


def wait_until(check, seconds: float = 20) -> None:
    """For the server's own retries to notice, not for the clock."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if check():
            return
        time.sleep(0.1)
    raise AssertionError("not in time")
