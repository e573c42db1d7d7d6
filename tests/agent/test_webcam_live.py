"""The webcam on the real agent under Xvfb, with a test camera: a video file made here and read
through the same OpenCV call that opens a camera device (TALLY_AGENT_WEBCAM_SOURCE).

Rule: docs/rules.md#webcam
"""

from io import BytesIO
from pathlib import Path

import cv2
import numpy as np
import pytest
from PIL import Image, ImageChops, ImageFilter

from diary.terms import Screenshots, Webcam
from tests.agent.agentproc import AgentProcess

SQUARE = 16  # the test camera films a chequerboard: sharp edges everywhere, easy to tell from a blur


def camera_video(folder: Path, size=(1280, 720)) -> Path:
    """A few seconds of a chequerboard, written as a video the agent reads like a camera."""
    path = folder / "camera.avi"
    writer = cv2.VideoWriter(str(path), cv2.VideoWriter_fourcc(*"MJPG"), 5, size)
    ys, xs = np.indices((size[1], size[0]))
    board = (((xs // SQUARE) + (ys // SQUARE)) % 2 * 255).astype(np.uint8)
    frame = np.dstack([board, board // 2, 255 - board])
    for _ in range(10):
        writer.write(frame)
    writer.release()
    return path


@pytest.fixture
def agent(tmp_path, server, xdisplay):
    proc = AgentProcess(tmp_path, server, xdisplay, TALLY_AGENT_WEBCAM_SOURCE=str(camera_video(tmp_path)))
    proc.pair()
    yield proc
    if proc.proc and proc.proc.poll() is None:
        proc.kill9()


def frames(server) -> list[bytes]:
    return [r.webcam for r in server.api.slots.values() if r.webcam]


def camera_loaded(agent: AgentProcess) -> bool:
    """Whether the running agent has the camera library in memory (its module maps cv2's library)."""
    return "cv2" in Path(f"/proc/{agent.proc.pid}/maps").read_text()


def edges(jpeg: bytes) -> float:
    """How much of the picture is sharp edges: a blurred chequerboard has almost none."""
    picture = Image.open(BytesIO(jpeg)).convert("L")
    return float(np.asarray(picture.filter(ImageFilter.FIND_EDGES), dtype=np.float64).mean())


def test_without_consent_no_frame_is_taken_and_the_camera_library_is_never_loaded(agent, server):
    server.api.clock_in("webcam asked", slot_seconds=2, idle_minutes=100, webcam=Webcam.NEEDS_CONSENT)
    agent.start().wait_tracking()
    assert server.wait_until(lambda: sum(1 for r in server.api.slots.values() if r.screenshot) >= 3, seconds=20)
    assert frames(server) == [] and not camera_loaded(agent)
    assert b'name="webcam"' not in b"".join(server.api.bodies)


def test_consent_brings_a_frame_with_each_screenshot_and_withdrawal_stops_them(agent, server):
    server.api.clock_in("webcam asked", slot_seconds=2, idle_minutes=100, webcam=Webcam.NEEDS_CONSENT)
    agent.start().wait_tracking()
    given = agent.cli("consent", "webcam")
    assert given.returncode == 0 and "Webcam consent given" in given.stdout
    assert server.wait_until(lambda: len(frames(server)) >= 2, seconds=20), agent.output()
    picture = Image.open(BytesIO(frames(server)[0]))
    assert picture.format == "JPEG" and picture.size == (640, 360)  # downscaled like a screenshot
    assert [(e.kind, e.given) for e in server.api.events if e.kind == "webcam_consent"] == [("webcam_consent", True)]
    assert not camera_loaded(agent)  # each frame is read in a short-lived process: the agent stays small

    withdrawn = agent.cli("consent", "webcam", "--withdraw")
    assert withdrawn.returncode == 0 and "withdrawn" in withdrawn.stdout
    assert server.wait_until(lambda: [e.given for e in server.api.events if e.kind == "webcam_consent"] == [True, False])
    count = len(server.api.slots)
    assert server.wait_until(lambda: len(server.api.slots) >= count + 3, seconds=20)
    after = [r for r in server.api.slots.values() if r.report.slot_start > max(
        r.report.slot_start for r in list(server.api.slots.values())[:count + 1])]
    assert after and all(r.webcam is None and r.screenshot for r in after)


def test_the_frame_is_blurred_on_the_device_when_screenshots_are(agent, server, tmp_path):
    Path(agent.home).mkdir(parents=True, exist_ok=True)
    agent.cli("consent", "webcam")
    server.api.clock_in("blurred", slot_seconds=2, idle_minutes=100, webcam=Webcam.ON, screenshots=Screenshots.BLUR)
    agent.start().wait_tracking()
    assert server.wait_until(lambda: len(frames(server)) >= 1, seconds=20), agent.output()
    sharp = cv2.imencode(".jpg", cv2.resize(cv2.VideoCapture(str(tmp_path / "camera.avi")).read()[1], (640, 360)))[1]
    assert edges(frames(server)[0]) < edges(sharp.tobytes()) / 4


def test_no_camera_is_said_once_and_tracking_goes_on(agent, server, tmp_path):
    agent.env["TALLY_AGENT_WEBCAM_SOURCE"] = str(tmp_path / "no-such-camera.avi")
    agent.cli("consent", "webcam")
    server.api.clock_in("no camera", slot_seconds=2, idle_minutes=100, webcam=Webcam.ON)
    agent.start().wait_tracking()
    assert server.wait_until(lambda: sum(1 for r in server.api.slots.values() if r.screenshot) >= 4, seconds=25)
    assert frames(server) == []
    assert agent.output().count("No camera could be opened") == 1
    assert "Traceback" not in agent.output()


CLICK_CONSENT = "document.getElementById('webcam-consent').click();"


def test_consent_given_and_withdrawn_in_the_tracker_window(agent, server, tmp_path):
    pytest.importorskip("selenium", reason="selenium is not installed (pip install selenium)")
    from tests.agent.test_tracker_window import needs_chromium, window_url
    from tests.web.live import chromium

    if needs_chromium.args[0]:
        pytest.skip(needs_chromium.kwargs["reason"])
    server.api.clock_in("window consent", slot_seconds=2, idle_minutes=100, webcam=Webcam.NEEDS_CONSENT)
    agent.start().wait_tracking()
    with chromium(tmp_path / "profile", 700, 1200) as driver:
        driver.get(window_url(agent))
        assert "You have not consented" in driver.find_element("id", "webcam").text
        driver.execute_script(CLICK_CONSENT)  # in one step: a redraw of the page cannot come between
        assert "Webcam consent given" in driver.find_element("id", "notice").text
        assert "You consent" in driver.find_element("id", "webcam-state").text
        assert server.wait_until(lambda: len(frames(server)) >= 1, seconds=20), agent.output()
        driver.get(window_url(agent))
        driver.execute_script(CLICK_CONSENT)
        assert "withdrawn" in driver.find_element("id", "notice").text
    assert [e.given for e in server.api.events if e.kind == "webcam_consent"] == [True, False] or server.wait_until(
        lambda: [e.given for e in server.api.events if e.kind == "webcam_consent"] == [True, False])
    assert (agent.home / "webcam-consent.json").stat().st_mode & 0o077 == 0
