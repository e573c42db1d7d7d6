"""`tally-agent status`: what the agent is doing, from its files and, when it answers, the server."""

import os
from datetime import UTC, datetime

from agent.client import ApiClient, ApiError, Unreachable
from agent.home import AgentHome
from agent.queue import CLOCKIN_REFUSED, Queue
from diary.terms import SLOT_MINUTES


def describe(home: AgentHome, now: datetime | None = None) -> list[str]:
    pairing = home.load_pairing()
    if pairing is None:
        return ["Not paired. Run /connect in Slack or Discord, then: tally-agent pair CODE --server URL"]
    status = home.load_status() or {}
    lines = [
        f"Server:      {pairing.server} (device {pairing.device_id}) — {_server_says(pairing.server, pairing.token)}"
    ]
    lines += _agent_lines(status)
    lines += _queue_lines(home, now or datetime.now(UTC))
    return lines


def _server_says(server: str, token: str) -> str:
    try:
        state = ApiClient(server, token, timeout=5).state(wait=0)
    except ApiError as exc:
        if exc.status == 401:
            return (f"no longer paired: {exc.detail} To pair again: /connect in chat, then "
                    "tally-agent pair CODE --server URL")
        return f"not reachable: {exc}"
    except Unreachable as exc:
        return f"not reachable: {exc}"
    if state.private:
        return "private (nothing is recorded or sent)"
    return f"tracking {state.contract}".rstrip() if state.tracking else "not tracking"


def _agent_lines(status: dict) -> list[str]:
    pid = status.get("pid")
    if not pid or not _alive(pid):
        return ["Agent:       not running (start it with: tally-agent run)"]
    lines = [f"Agent:       running (pid {pid})"]
    if status.get("private"):
        lines.append("Tracking:    private — nothing is recorded or sent until you switch it off "
                     "(tracker window, or /private off in chat)")
    elif status.get("tracking"):
        lines.append(f"Tracking:    yes — {status.get('contract') or 'time'}")
        lines.append(
            f"This slot:   {status.get('active_minutes', 0)}/{SLOT_MINUTES} active minutes "
            f"({status.get('keys', 0)} keys, {status.get('mouse', 0)} mouse events)"
        )
    else:
        lines.append("Tracking:    no")
    if status.get("cannot_track"):
        lines.append(f"Cannot track: a {status['cannot_track']} session (no screenshots, no input); log in with "
                     "an X11 session and run the agent again")
    if status.get("problem"):
        lines.append(f"Problem:     {status['problem']}")
    return lines


def _queue_lines(home: AgentHome, now: datetime) -> list[str]:
    if not home.queue_path.exists():
        return ["Queue:       empty", "Last upload: never"]
    queue = Queue(home.queue_path)
    try:
        last, rejected = queue.last_upload(), queue.rejected()
        lines = [f"Queue:       {queue.pending()} waiting for upload"]
    finally:
        queue.close()
    ago = f"{last.astimezone():%Y-%m-%d %H:%M:%S} ({_ago(now - last)} ago)" if last else "never"
    lines.append(f"Last upload: {ago}")
    lines.append(f"Rejected:    {len(rejected)}")
    lines += [f"  {r.what}: {r.reason}" for r in rejected]
    if any(r.reason.startswith(CLOCKIN_REFUSED) for r in rejected):
        lines.append("  Slots of a refused clock-in never leave this computer; delete them in the tracker window "
                     "(tally-agent open).")
    return lines


def _ago(delta) -> str:
    seconds = int(delta.total_seconds())
    return f"{seconds}s" if seconds < 120 else f"{seconds // 60} min" if seconds < 7200 else f"{seconds // 3600} h"


def _alive(pid: int) -> bool:
    if os.name == "nt":
        return True  # os.kill(pid, 0) would terminate it there; status.json loses the pid on a clean exit
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True
