"""What the freelancer's agents can do where they run (docs/rules.md#devices-that-cannot-track).

An agent in a Wayland session can neither take screenshots nor count input, and says so with a
`capabilities` event. While every paired device of a freelancer has said so, clocking in is
refused with the reason and the fix, and the contract and the diary say it instead of showing
silent gaps. A device that reports full capabilities again, a new device paired, or the unable
one revoked, lifts it.
"""

import re
from datetime import datetime

from sqlmodel import Session

from diary.protocol import AgentEvent, EventResult
from storage import capabilities
from storage.tables import Device

FIX = ("Log in with an X11 session (on the login screen pick the desktop's “on Xorg” / X11 session), "
       "start `tally-agent run` again, then clock in.")


def report(s: Session, device: Device, event: AgentEvent, *, now: datetime) -> EventResult:
    able = bool(event.screenshots) and bool(event.input)
    reason = "" if able else shown_reason(event.reason or "")
    capabilities.report(s, device_id=device.id, screenshots=bool(event.screenshots), input=bool(event.input),
                        reason=reason, at=min(event.at, now))
    if able:
        return EventResult(ok=True, message="This computer can be tracked.")
    return EventResult(ok=True, message=f"Noted: this computer cannot be tracked ({reason}). {FIX}")


def shown_reason(text: str) -> str:
    """The agent's reason goes to the client's channel too: plain words only, or a neutral one."""
    text = " ".join(text.split())
    return text if re.fullmatch(r"[\w .,()/:-]{1,80}", text) else "unsupported desktop session"


def cannot_track(s: Session, member_id: int) -> str | None:
    """Why this freelancer cannot be tracked now, or None: only while every paired device said it cannot."""
    paired, unable = capabilities.unable_devices_of(s, member_id=member_id)
    if not unable or len(unable) < paired:
        return None
    return max(unable, key=lambda u: u.reported_at).reason


def refusal_text(reason: str) -> str:
    return f"Your agent cannot track here ({reason}): it can neither take screenshots nor count input there. {FIX}"


def notice(reason: str) -> str:
    """What the contract and the diary show instead of silent gaps."""
    return f"agent cannot track here ({reason}): no time is recorded until the freelancer logs in with an X11 session"
