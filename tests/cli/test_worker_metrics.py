"""`tally worker --metrics-port N`: an operator running web processes and a worker can see the
jobs run and which worker is the active one, as `tally serve` shows them. Two real workers on
one PostgreSQL schema: the active one says elected 1 and counts its job runs, the standby says 0,
and when the active one is killed the standby's own listener says it took over."""

import os
import signal
import subprocess
import time

import httpx

from tests.cli.test_serve import free_port
from tests.e2e.processes import PLATFORM_VARIABLES, TALLY
from tests.e2e.test_scale_out import Process, schema_url  # noqa: F401 (a PostgreSQL schema of the test's own)


def gauge(text: str, name: str) -> float | None:
    line = next((line for line in text.splitlines() if line.startswith(name + " ")), None)
    return None if line is None else float(line.split()[1])


def read(port: int, path: str = "/metrics", **headers: str) -> httpx.Response | None:
    try:
        return httpx.get(f"http://127.0.0.1:{port}{path}", headers=headers, timeout=2, trust_env=False)
    except httpx.TransportError:
        return None


def until(check, seconds: float = 30):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        found = check()
        if found:
            return found
        time.sleep(0.2)
    raise AssertionError(f"not within {seconds} s")


def test_the_active_worker_and_the_standby_each_say_which_they_are(tmp_path, schema_url):  # noqa: F811
    env = {k: v for k, v in os.environ.items() if k not in PLATFORM_VARIABLES}
    env |= {"TALLY_DATABASE_URL": schema_url, "TALLY_SECRET_KEY": "worker-metrics-secret-key-0123", "HOST": "127.0.0.1"}
    upgraded = subprocess.run(TALLY + ["db", "upgrade"], env=env, cwd=tmp_path, capture_output=True, text=True, timeout=60)
    assert upgraded.returncode == 0, upgraded.stderr
    ports = free_port(), free_port()
    active = Process(tmp_path, "active", ["worker", "--metrics-port", str(ports[0])], env | {"TALLY_DATA_DIR": str(tmp_path / "a")})
    try:
        metrics = until(lambda: (r := read(ports[0])) is not None and gauge(r.text, "tally_worker_elected") == 1 and r)
        assert 'tally_job_runs_total{job="week-close",outcome="done"}' in until(lambda: _with_jobs(ports[0]))
        standby = Process(tmp_path, "standby", ["worker", "--metrics-port", str(ports[1])], env | {"TALLY_DATA_DIR": str(tmp_path / "b")})
        until(lambda: standby.says("standby"))
        assert gauge(until(lambda: read(ports[1])).text, "tally_worker_elected") == 0
        assert read(ports[1], "/healthz").json() == {"ok": True, "elected": False}
        assert "tally_outbox_messages" in metrics.text

        active.proc.send_signal(signal.SIGKILL)
        until(lambda: gauge(read(ports[1]).text, "tally_worker_elected") == 1)
        assert read(ports[1], "/healthz").json() == {"ok": True, "elected": True}
        assert read(ports[1], "/metrics", **{"X-Forwarded-For": "203.0.113.7"}).status_code == 403  # never through a proxy

        standby.stop()
        assert standby.proc.returncode == 0, standby.log()
        assert read(ports[1]) is None  # the listener stops with the worker
    finally:
        active.stop()


def _with_jobs(port: int) -> str | None:
    """The metrics once the start's catch-up has run the jobs."""
    text = read(port).text
    return text if "tally_job_runs_total{" in text else None
