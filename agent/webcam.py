"""The webcam on the freelancer's computer (docs/rules.md#webcam): the consent, kept in the agent's
folder, and one camera frame at the screenshot instant of each slot that may have one.

The camera library (OpenCV, the `tally[webcam]` extra) is imported only when a frame is due, that
is on a contract with webcam=on and a computer whose owner consented, and then in a short-lived
process of its own (GRAB): no agent keeps it in memory, so every agent stays as small as before. The camera is opened for each frame and released at once,
so its light is on for a moment, not all day. `TALLY_AGENT_WEBCAM_SOURCE` names the camera: a
device index (0, the default, is the first camera) or a video file, read by the same call.
"""

import importlib.util
import io
import os
import subprocess
import sys
from collections.abc import Callable
from datetime import datetime
from pathlib import Path

from PIL import Image

from agent.capture import _give_back_memory, blur, encode
from agent.home import read_json, write_private
from diary.terms import Screenshots

FILE = "webcam-consent.json"
SOURCE_ENV = "TALLY_AGENT_WEBCAM_SOURCE"
TARGET_WIDTH = 640  # a face needs far fewer pixels than a screen of text
NO_LIBRARY = ("The contract asks for a webcam frame, but the camera library is not installed: "
              "pip install 'tally[webcam]'. Tracking goes on without frames.")
NO_CAMERA = "No camera could be opened ({source}): tracking goes on without webcam frames."
GRAB_SECONDS = 20
NO_LIBRARY_EXIT = 3
# The frame is read in a short-lived process of its own: OpenCV and numpy cost some 40 MB once
# imported, which the agent would keep all day; this way it stays as small with the webcam as
# without. The frame comes back as an uncompressed BMP through a pipe, never through a file.
GRAB = f"""
import sys
try:
    import cv2
except ImportError:
    sys.exit({NO_LIBRARY_EXIT})
where = sys.argv[1]
camera = cv2.VideoCapture(int(where) if where.isdigit() else where)
ok, frame = camera.read() if camera.isOpened() else (False, None)
camera.release()
if not ok or frame is None:
    sys.exit(4)
sys.stdout.buffer.write(cv2.imencode(".bmp", frame)[1].tobytes())
"""


def consented(folder: Path) -> bool:
    return bool((read_json(folder / FILE) or {}).get("given"))


def set_consent(folder: Path, given: bool, at: datetime) -> None:
    """Kept on this computer only; the caller reports it to the server (a `webcam_consent` event)."""
    folder.mkdir(parents=True, exist_ok=True, mode=0o700)
    write_private(folder / FILE, {"given": given, "at": at.isoformat()})


def consent_sentence(given: bool) -> str:
    if not given:
        return "Webcam consent withdrawn on this computer: no camera frame is taken from now on."
    sentence = ("Webcam consent given on this computer: on contracts that ask for it (webcam=on), a camera frame "
                "is taken with each screenshot from the next slot on. Withdraw it with: tally-agent consent webcam --withdraw")
    if importlib.util.find_spec("cv2") is None:  # looked up, not imported
        sentence += " — the camera library is not installed yet: pip install 'tally[webcam]'"
    return sentence


def source() -> int | str:
    configured = os.environ.get(SOURCE_ENV, "").strip()
    if not configured:
        return 0
    return int(configured) if configured.isdigit() else configured


class Camera:
    """Takes frames; says once (through `say`) why it cannot. Without the library it stops trying;
    without a camera it tries again quietly at the next frame (one may be plugged in)."""

    def __init__(self, say: Callable[[str], None]) -> None:
        self.say = say
        self.told: set[str] = set()
        self.missing_library = False

    def frame(self, mode: Screenshots) -> bytes | None:
        if self.missing_library or mode == Screenshots.OFF:
            return None
        picture = self._grab()
        if picture is None:
            return None
        small = _shrink(picture)
        data = encode(blur(picture, small.size) if mode == Screenshots.BLUR else small)
        del picture, small
        _give_back_memory()  # the full frame's megabytes go back to the system, as after a screenshot
        return data

    def _grab(self) -> Image.Image | None:
        try:
            done = subprocess.run([sys.executable, "-c", GRAB, str(source())], capture_output=True, timeout=GRAB_SECONDS,
                                  env={**os.environ, "OPENCV_LOG_LEVEL": "ERROR"}, check=False)
        except (OSError, subprocess.TimeoutExpired):
            done = None
        if done is not None and done.returncode == NO_LIBRARY_EXIT:
            self.missing_library = True
            return self._fail(NO_LIBRARY)
        if done is None or done.returncode != 0 or not done.stdout:
            where = source()
            return self._fail(NO_CAMERA.format(source=f"camera {where}" if isinstance(where, int) else where))
        with Image.open(io.BytesIO(done.stdout)) as picture:
            return picture.convert("RGB")

    def _fail(self, why: str) -> None:
        if why not in self.told:
            self.told.add(why)
            self.say(why)
        return None


def _shrink(picture: Image.Image) -> Image.Image:
    if picture.width <= TARGET_WIDTH:
        return picture
    size = (TARGET_WIDTH, max(1, round(picture.height * TARGET_WIDTH / picture.width)))
    return picture.resize(size, Image.Resampling.BOX)
