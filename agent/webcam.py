"""The webcam on the freelancer's computer (docs/rules.md#webcam): the consent, kept in the agent's
folder, and one camera frame at the screenshot instant of each slot that may have one.

The camera library (OpenCV, the `tally[webcam]` extra) is imported only when a frame is due, that
is on a contract with webcam=on and a computer whose owner consented: every other agent never
loads it and stays as small as before. The camera is opened for each frame and released at once,
so its light is on for a moment, not all day. `TALLY_AGENT_WEBCAM_SOURCE` names the camera: a
device index (0, the default, is the first camera) or a video file, read by the same call.
"""

import importlib.util
import os
from collections.abc import Callable
from datetime import datetime
from pathlib import Path

from PIL import Image

from agent.capture import blur, encode
from agent.home import read_json, write_private
from diary.terms import Screenshots

FILE = "webcam-consent.json"
SOURCE_ENV = "TALLY_AGENT_WEBCAM_SOURCE"
TARGET_WIDTH = 640  # a face needs far fewer pixels than a screen of text
NO_LIBRARY = ("The contract asks for a webcam frame, but the camera library is not installed: "
              "pip install 'tally[webcam]'. Tracking goes on without frames.")
NO_CAMERA = "No camera could be opened ({source}): tracking goes on without webcam frames."


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
        return encode(blur(picture, small.size) if mode == Screenshots.BLUR else small)

    def _grab(self) -> Image.Image | None:
        os.environ.setdefault("OPENCV_LOG_LEVEL", "ERROR")  # no warning on stderr for every missing camera
        try:
            import cv2  # the `tally[webcam]` extra
        except ImportError:
            self.missing_library = True
            return self._fail(NO_LIBRARY)
        where = source()
        camera = cv2.VideoCapture(where)
        try:
            ok, bgr = camera.read() if camera.isOpened() else (False, None)
        finally:
            camera.release()
        if not ok or bgr is None:
            return self._fail(NO_CAMERA.format(source=f"camera {where}" if isinstance(where, int) else where))
        return Image.fromarray(bgr[:, :, ::-1].copy())  # OpenCV's BGR to RGB

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
