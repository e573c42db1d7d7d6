"""Whether the server takes a new slot an agent reports (docs/rules.md#slots,
docs/rules.md#screenshots, docs/rules.md#terms-in-force): the checks made before it is recorded.
A slot that arrives after its week's edit deadline is still taken, as a late slot (diary/late.py)."""

from datetime import datetime, timedelta

from diary.protocol import SlotReport
from diary.refusal import Refusal
from diary.slots import is_aligned, slot_end
from diary.terms import Screenshots

# How far the agent's clock may be from the server's before a slot is in the future or outside its session.
SKEW = timedelta(minutes=2)


def check_report(report: SlotReport, *, has_image: bool, session_start: datetime, session_end: datetime | None,
                 screenshots: Screenshots, screenshots_from: datetime | None, slot_seconds: int, now: datetime) -> Refusal | None:
    """A new slot of a session (`session_end` None: still open) under a contract whose screenshots
    term is `screenshots`, last changed at `screenshots_from` (None: never); None when it is taken."""
    start, end = report.slot_start, slot_end(report.slot_start, slot_seconds)
    ends = session_end or now
    checks = (
        (not is_aligned(start, slot_seconds), f"slot_start must be a multiple of {slot_seconds} s since the epoch."),
        (start > now + SKEW, "That slot is in the future; check the computer's clock."),
        (end <= session_start - SKEW or start >= ends + SKEW, "That slot lies outside its session."),
        (takes_no_screenshots(screenshots, screenshots_from, start) and (has_image or report.screenshot_at is not None),
         "This contract takes no screenshots."),
        (has_image and report.screenshot_at is None, "A screenshot needs its screenshot_at instant."),
        (report.screenshot_at is not None and not start <= report.screenshot_at < end, "screenshot_at must lie inside the slot."),
    )
    for failed, message in checks:
        if failed:
            return Refusal(message)
    return None


def takes_no_screenshots(screenshots: Screenshots, screenshots_from: datetime | None, start: datetime) -> bool:
    """Screenshots are off for a slot that began once "off" was in force: the slot under way when
    they were switched off keeps its screenshot."""
    return screenshots == Screenshots.OFF and (screenshots_from is None or start >= screenshots_from)
