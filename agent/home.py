"""Where the agent keeps its files: the pairing, the durable queue and the status it shows."""

import json
import os
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

QUEUE_FILE = "queue-v1.sqlite3"  # the version changes when the queue's schema does
DEFAULT_MAX_QUEUE_MB = 500


@dataclass(frozen=True)
class Pairing:
    server: str
    token: str
    device_id: int


class AgentHome:
    """The agent's folder: TALLY_AGENT_HOME, else the platform's per-user config folder."""

    def __init__(self, path: Path) -> None:
        self.path = path

    @classmethod
    def from_env(cls) -> "AgentHome":
        configured = os.environ.get("TALLY_AGENT_HOME")
        if configured:
            return cls(Path(configured).expanduser())
        from platformdirs import user_config_path

        return cls(user_config_path("tally-agent", appauthor=False))

    @property
    def queue_path(self) -> Path:
        return self.path / QUEUE_FILE

    @property
    def max_queue_bytes(self) -> int:
        """The disk the queue may use before old screenshots go (metadata is always kept)."""
        return int(float(os.environ.get("TALLY_AGENT_MAX_QUEUE_MB", DEFAULT_MAX_QUEUE_MB)) * 1024 * 1024)

    def ensure(self) -> Path:
        self.path.mkdir(parents=True, exist_ok=True, mode=0o700)
        return self.path

    def save_pairing(self, pairing: Pairing) -> None:
        write_private(self.ensure() / "pairing.json", asdict(pairing))

    def forget_pairing(self) -> None:
        (self.path / "pairing.json").unlink(missing_ok=True)

    def load_pairing(self) -> Pairing | None:
        data = read_json(self.path / "pairing.json")
        return Pairing(**data) if data else None

    def save_status(self, status: dict[str, Any]) -> None:
        write_private(self.ensure() / "status.json", status)

    def load_status(self) -> dict[str, Any] | None:
        return read_json(self.path / "status.json")

    def save_window(self, url: str) -> None:
        """The tracker window's link (it holds the window's secret), for the tray and `tally-agent open`."""
        write_private(self.ensure() / "window.json", {"url": url, "pid": os.getpid()})

    def window_url(self) -> str | None:
        data = read_json(self.path / "window.json") or {}
        return data.get("url") if data.get("pid") and _alive(int(data["pid"])) else None

    def forget_window(self) -> None:
        (self.path / "window.json").unlink(missing_ok=True)


def write_private(path: Path, data: dict[str, Any]) -> None:
    """Atomically replace a JSON file that only the user may read (it can hold the device token)."""
    write_private_bytes(path, json.dumps(data).encode())


def write_private_bytes(path: Path, data: bytes) -> None:
    """Atomically replace a file that only the user may read."""
    tmp = path.with_suffix(".tmp")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    os.chmod(tmp, 0o600)  # O_CREAT's mode does not apply to a file left over from a crash
    with os.fdopen(fd, "wb") as f:
        f.write(data)
    os.replace(tmp, path)


def _alive(pid: int) -> bool:
    if os.name == "nt":
        return True
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def read_json(path: Path) -> dict[str, Any] | None:
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        return None
