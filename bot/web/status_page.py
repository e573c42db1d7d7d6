"""`GET /`: a plain status page for the operator. It names no person, contract, amount or screenshot."""

from dataclasses import dataclass
from pathlib import Path

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, JSONResponse
from fastapi.templating import Jinja2Templates

from bot.api.clock import app_now
from bot.runtime import platform_states
from bot.services.server_health import Status, status
from bot.version import VERSION

templates = Jinja2Templates(directory=Path(__file__).parent / "templates")
router = APIRouter(tags=["status"])
HEADERS = {"Cache-Control": "no-store", "X-Content-Type-Options": "nosniff"}
# The page is public and counts the outbox, which only grows: however often it is asked for, the
# database is asked at most once per this many seconds by each process.
FRESH_SECONDS = 5.0


@dataclass(frozen=True)
class Line:
    name: str
    text: str
    ok: bool = True


def database_lines(st: Status) -> list[Line]:
    if not st.reachable:
        return [Line("Database", f"{st.database}: not reachable", False)]
    migrated = Line("Migrations", "current" if st.migrated else f"at {st.revision}, code expects {st.head}: run `tally db upgrade`",
                    st.migrated)
    return [Line("Database", st.database), migrated]


def outbox_lines(st: Status) -> list[Line]:
    if st.outbox is None:
        return []
    age = st.oldest_waiting_seconds
    oldest = "" if age is None else f"; oldest waiting {_duration(age)}"
    failed = st.outbox.by_status.get("failed", 0)
    return [Line("Outbox", f"{st.outbox.waiting} waiting{oldest}; {failed} failed for good", failed == 0 and (age or 0) < 900),
            Line("Agents", f"{st.agents_recent} seen in the last 15 minutes")]


def _recent_status(request: Request) -> Status:
    now, kept = app_now(request.app), getattr(request.app.state, "status_seen", None)
    if kept is None or not 0 <= (now - kept[0]).total_seconds() < FRESH_SECONDS:
        kept = (now, status(request.app.state.ctx, now))
        request.app.state.status_seen = kept
    return kept[1]


def _duration(seconds: float) -> str:
    minutes, secs = divmod(int(seconds), 60)
    hours, minutes = divmod(minutes, 60)
    return f"{hours} h {minutes} min" if hours else f"{minutes} min {secs} s" if minutes else f"{secs} s"


def lines(request: Request) -> list[Line]:
    st = _recent_status(request)
    platforms = [Line(name, text, on) for name, on, text in platform_states(request.app.state.settings)]
    return [*platforms, *database_lines(st), *outbox_lines(st)]


@router.get("/", response_class=HTMLResponse, summary="Status page")
def status_page(request: Request):
    found = lines(request)
    # Platforms that are simply off are a choice, not a problem.
    problems = sum(1 for line in found if not line.ok and line.name not in ("Slack", "Discord"))
    if "application/json" in request.headers.get("accept", ""):
        return JSONResponse({"version": VERSION, "problems": problems,
                             "lines": [line.__dict__ for line in found]}, headers=HEADERS)
    context = {"version": VERSION, "lines": found, "problems": problems}
    return templates.TemplateResponse(request, "status.html", context, headers=HEADERS)
