"""Benchmark of the desktop agent (issue 3). Not a test: it measures, it does not judge.

Under its own Xvfb showing a desktop-like screen, with slots of TALLY_SLOT_SECONDS (default 10)
from a local fake server: xdotool moves the mouse 60 times and presses a key 5 times a second
for --active seconds, then nothing for --idle seconds. Reported: the agent's CPU as % of one
core in each phase, steady and peak RSS, CPU ms per screenshot and bytes per slot upload.

    python bench/agent_bench.py [--active 60] [--idle 60] [--input x11|pynput] [--tray] [--window on|off] [--json FILE]

--tray runs a system tray (trayer) on that display, so the agent docks its tray icon, and reads
the tracker window's live part as often as an open window does (agent.tracker_html.REFRESH_MS).

With --window on the contract has window=on: a focused window (set as a window manager would) is
read once a slot-minute and its samples are sent with each slot.
"""

import argparse
import json
import os
import signal
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request
from contextlib import contextmanager, nullcontext
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from tests.agent.desktop import desktop_image, paint_root  # noqa: E402
from tests.agent.fake_server import CODE, FakeApi, FakeServer  # noqa: E402
from diary.terms import Webcam  # noqa: E402

MAIN = "from agent.cli import main; main()"
TICKS = os.sysconf("SC_CLK_TCK")
CAPTURE_COST = """
import time
from agent.capture import take_screenshot
from diary.terms import Screenshots
take_screenshot(Screenshots.{mode})  # the first one loads libraries
start = time.thread_time()
for _ in range({n}):
    take_screenshot(Screenshots.{mode})
print((time.thread_time() - start) / {n} * 1000)
"""


@contextmanager
def xvfb():
    read_end, write_end = os.pipe()
    command = ["Xvfb", "-displayfd", str(write_end), "-screen", "0", "1920x1080x24", "-nolisten", "tcp"]
    proc = subprocess.Popen(command, pass_fds=(write_end,), stderr=subprocess.DEVNULL)
    os.close(write_end)
    with os.fdopen(read_end) as pipe:
        display = ":" + pipe.readline().strip()
    try:
        yield display
    finally:
        proc.terminate()
        proc.wait()


@contextmanager
def tray_host(display: str):
    command = ["trayer", "--edge", "top", "--align", "right", "--widthtype", "request", "--height", "32"]
    proc = subprocess.Popen(command, env={**os.environ, "DISPLAY": display}, stdout=subprocess.DEVNULL,
                            stderr=subprocess.DEVNULL)  # fmt: skip
    time.sleep(1)  # it owns the tray before the agent looks for one
    try:
        yield
    finally:
        proc.terminate()
        proc.wait()


@contextmanager
def open_window(home: Path):
    """Reads the tracker window's live part on the page's own schedule, as an open window does."""
    from agent.tracker_html import REFRESH_MS

    stop = threading.Event()

    def poll() -> None:
        while not (home / "window.json").exists() and not stop.wait(0.2):
            pass
        url = json.loads((home / "window.json").read_text())["url"] + "live"
        while not stop.wait(REFRESH_MS / 1000):
            urllib.request.urlopen(url, timeout=5).read()

    reader = threading.Thread(target=poll, daemon=True)
    reader.start()
    try:
        yield
    finally:
        stop.set()
        reader.join(timeout=10)


def cpu_seconds(pid: int) -> float:
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / TICKS  # utime + stime


def memory_kib(pid: int, key: str) -> int:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith(key + ":"):
            return int(line.split()[1])
    return 0


class RssSampler(threading.Thread):
    def __init__(self, pid: int) -> None:
        super().__init__(daemon=True)
        self.pid, self.samples, self.running = pid, [], True

    def run(self) -> None:
        while self.running:
            self.samples.append((time.monotonic(), memory_kib(self.pid, "VmRSS")))
            time.sleep(0.5)

    def between(self, start: float, end: float) -> list[int]:
        return [kib for t, kib in self.samples if start <= t <= end]


def drive_input(display: str, seconds: float) -> None:
    """60 pointer moves and 5 key presses a second, on a fixed schedule, through one xdotool."""
    xdo = subprocess.Popen(["xdotool", "-"], stdin=subprocess.PIPE, text=True, env={**os.environ, "DISPLAY": display})
    start = time.monotonic()
    for i in range(int(seconds * 60)):
        xdo.stdin.write(f"mousemove {200 + (i * 7) % 1400} {150 + (i * 3) % 700}\n")
        if i % 12 == 0:
            xdo.stdin.write("key x\n")
        xdo.stdin.flush()
        time.sleep(max(0.0, start + (i + 1) / 60 - time.monotonic()))
    xdo.stdin.close()
    xdo.wait()


def focus_a_window(connection) -> None:
    """A titled window made the active one, as a window manager would (Xvfb runs none)."""
    from Xlib import X, Xatom

    root = connection.screen().root
    window = root.create_window(0, 0, 200, 100, 0, connection.screen().root_depth)
    window.set_wm_class("editor", "Code")
    window.change_property(connection.intern_atom("_NET_WM_NAME"), connection.intern_atom("UTF8_STRING"), 8,
                           "agent_bench.py — tally".encode())
    root.change_property(connection.intern_atom("_NET_ACTIVE_WINDOW"), Xatom.WINDOW, 32, [window.id], X.PropModeReplace)
    connection.sync()


def capture_cost(display: str, mode: str, n: int = 20) -> float:
    env = {**os.environ, "DISPLAY": display}
    out = subprocess.run([sys.executable, "-c", CAPTURE_COST.format(mode=mode, n=n)], env=env, capture_output=True,
                         text=True, check=True)  # fmt: skip
    return float(out.stdout.strip())


def camera_video(folder: Path) -> Path:
    """A test camera: a 1280x720 video file, read through the same OpenCV call as a camera device."""
    import cv2
    import numpy as np

    path = folder / "camera.avi"
    writer = cv2.VideoWriter(str(path), cv2.VideoWriter_fourcc(*"MJPG"), 5, (1280, 720))
    ys, xs = np.indices((720, 1280))
    face = ((xs - 640) ** 2 + (ys - 330) ** 2 < 200 ** 2).astype(np.uint8) * 160
    for _ in range(5):
        writer.write(np.dstack([face + 40, face // 2 + 60, 90 + face // 3]))
    writer.release()
    return path


def run(args: argparse.Namespace) -> dict:
    slot_seconds = int(os.environ.get("TALLY_SLOT_SECONDS", "10"))
    with xvfb() as display, tempfile.TemporaryDirectory() as tmp:
        painter = paint_root(display, desktop_image())
        if args.window == "on":
            focus_a_window(painter)
        server = FakeServer(FakeApi(slot_seconds=slot_seconds)).start()
        env = {**os.environ, "DISPLAY": display, "TALLY_AGENT_HOME": tmp, "TALLY_AGENT_INPUT": args.input}
        subprocess.run([sys.executable, "-c", MAIN, "pair", CODE, "--server", server.url], env=env, check=True,
                       capture_output=True)  # fmt: skip
        if args.webcam:  # a contract with webcam=on, consent given, a 1280x720 test camera
            env["TALLY_AGENT_WEBCAM_SOURCE"] = str(camera_video(Path(tmp)))
            subprocess.run([sys.executable, "-c", MAIN, "consent", "webcam"], env=env, check=True, capture_output=True)
            server.api.webcam = Webcam.ON
        with tray_host(display) if args.tray else nullcontext():
            agent = subprocess.Popen([sys.executable, "-c", MAIN, "run"], env=env, stdout=subprocess.DEVNULL)
            with open_window(Path(tmp)) if args.tray else nullcontext():
                result = measure(agent.pid, server, display, args)
            agent.send_signal(signal.SIGINT)
            agent.wait(timeout=30)
        result["tray_and_window"] = args.tray
        result["webcam"] = args.webcam
        result["screenshot_cpu_ms"] = {mode: round(capture_cost(display, mode), 1) for mode in ("ON", "BLUR")}
        result["slot_seconds"] = slot_seconds
        server.stop()
        painter.close()
    return result


def measure(pid: int, server: FakeServer, display: str, args: argparse.Namespace) -> dict:
    time.sleep(3)  # imports done, first long-poll answered
    # The contract's defaults (screenshots on, idle after 10 minutes), window titles as asked.
    server.api.clock_in("benchmark", window=args.window == "on")
    sampler = RssSampler(pid)
    sampler.start()
    time.sleep(2)
    t0, c0 = time.monotonic(), cpu_seconds(pid)
    drive_input(display, args.active)
    t1, c1 = time.monotonic(), cpu_seconds(pid)
    idle_stop_at = None
    while time.monotonic() < t1 + args.idle:
        if idle_stop_at is None and any(e.kind == "idle_stop" for e in server.api.events):
            idle_stop_at = (time.monotonic(), cpu_seconds(pid))
        time.sleep(0.05)
    t2, c2 = time.monotonic(), cpu_seconds(pid)
    sampler.running = False
    steady = sampler.between(t0 + 10, t1)
    events = sum(m.keys + m.mouse for r in server.api.slots.values() for m in r.report.minutes if m)
    shots = [size for size, with_screenshot in server.api.slot_sizes if with_screenshot]
    result = {
        "input": args.input,
        "events_counted": events,
        "active_cpu_percent": round((c1 - c0) / (t1 - t0) * 100, 2),
        "idle_cpu_percent": round((c2 - c1) / (t2 - t1) * 100, 3),
        "steady_rss_mib": round(statistics.median(steady) / 1024, 1),
        "max_sampled_rss_mib": round(max(kib for _, kib in sampler.samples) / 1024, 1),
        "peak_rss_mib": round(memory_kib(pid, "VmHWM") / 1024, 1),
        "slot_upload_bytes_mean": round(statistics.mean(shots)) if shots else None,
        "slot_upload_bytes_max": max(shots) if shots else None,
        "slots_uploaded": len(server.api.slots),
        "window_samples": sum(1 for r in server.api.slots.values() for w in (r.report.windows or []) if w),
        "camera_library_loaded": "cv2" in Path(f"/proc/{pid}/maps").read_text(),
        "webcam_frames": sum(1 for r in server.api.slots.values() if r.webcam),
        "webcam_frame_bytes_mean": round(statistics.mean(frames)) if (frames := [len(r.webcam) for r in
                                                                                  server.api.slots.values() if r.webcam]) else None,
    }
    if idle_stop_at:
        t_stop, c_stop = idle_stop_at
        result["idle_stop_after_s"] = round(t_stop - t1, 1)
        result["after_idle_stop_cpu_percent"] = round((c2 - c_stop) / (t2 - t_stop) * 100, 3)
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--active", type=float, default=60)
    parser.add_argument("--idle", type=float, default=60)
    parser.add_argument("--input", choices=("x11", "pynput"), default="x11")
    parser.add_argument("--tray", action="store_true", help="with a tray icon docked and the tracker window open")
    parser.add_argument("--window", choices=("on", "off"), default="off")
    parser.add_argument("--json", type=Path)
    parser.add_argument("--webcam", action="store_true", help="webcam=on, consent given, a video file as the camera")
    args = parser.parse_args()
    result = run(args)
    for key, value in result.items():
        print(f"{key:28} {value}")
    if args.json:
        args.json.write_text(json.dumps(result, indent=2))


if __name__ == "__main__":
    main()
