"""The work-diary pages: day and week views, screenshots and deletion, all behind a signed link."""

from datetime import date, timedelta
from pathlib import Path
from typing import Annotated

from fastapi import APIRouter, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from fastapi.templating import Jinja2Templates

from bot.api.clock import app_now
from bot.api.errors import status_of
from bot.services import diary_pages
from bot.services.availability import DATABASE_DOWN
from bot.services.diary_pages import DayPage, Viewer
from bot.web import present
from diary.money import format_minutes, format_money
from diary.refusal import Refusal, then
from diary.weeks import describe_instant, in_calendar, parse_week
from storage.outage import RETRY_AFTER_SECONDS

templates = Jinja2Templates(directory=Path(__file__).parent / "templates")
templates.env.filters.update(seconds=lambda s: format_minutes(round(s / 60)), minutes=format_minutes, money=format_money, clock=present.clock,
                             long_day=present.long_day, percent=present.percent, hours=present.hours)
templates.env.globals.update(activity_steps=present.ACTIVITY_STEPS, minute_letters=present.MINUTE_LETTERS,
                             minute_words=present.MINUTE_WORDS)

# The token in the address is the key to the diary: it must not leak through referrers, caches or frames.
PAGE_HEADERS = {
    "Cache-Control": "no-store",
    "Referrer-Policy": "no-referrer",
    "X-Content-Type-Options": "nosniff",
    "X-Robots-Tag": "noindex, nofollow",
    "Content-Security-Policy": "default-src 'none'; img-src 'self'; style-src 'self'; form-action 'self'; "
                               "frame-ancestors 'none'; base-uri 'none'",
}
HTML = {"content": {"text/html": {}}}
REFUSED = {
    403: {**HTML, "description": "The link is expired, altered, or its holder may not do this."},
    404: {**HTML, "description": "No such slot or screenshot in this diary."},
    422: {**HTML, "description": "Not a day or week, or the week is closed for edits."},
}
IMAGE = {"content": {"image/webp": {}, "image/jpeg": {}, "image/png": {}}, "description": "The screenshot."}

router = APIRouter(tags=["diary pages"], default_response_class=HTMLResponse)


def _page(request: Request, name: str, status: int = 200, **context) -> HTMLResponse:
    return templates.TemplateResponse(request, name, context, status_code=status, headers=PAGE_HEADERS)


def _refusal(request: Request, refusal: Refusal) -> HTMLResponse:
    return _page(request, "refused.html", status_of(refusal), message=refusal.message)


def unavailable_page(request: Request) -> HTMLResponse:
    """While the database is away (see storage/outage.py)."""
    page = _page(request, "refused.html", 503, message=DATABASE_DOWN.message)
    page.headers["Retry-After"] = str(RETRY_AFTER_SECONDS)
    return page


def _open(request: Request, token: str) -> Viewer | Refusal:
    return diary_pages.open_link(request.app.state.ctx, token, now=app_now(request.app))


def _urls(request: Request, token: str) -> present.Urls:
    return present.Urls(request.scope.get("root_path", ""), token)


@router.get("/diary/{token}", responses={200: HTML, **REFUSED})
def diary(request: Request, token: str, day: str | None = None, week: str | None = None,
          deleted: str | None = None) -> HTMLResponse:
    """A day of the diary (`?day=YYYY-MM-DD`, default the link's day) or a week (`?week=2026-W47`)."""
    viewer = _open(request, token)
    if isinstance(viewer, Refusal):
        return _refusal(request, viewer)
    if week is not None:
        return _week(request, token, viewer, week)
    wanted = _parse_day(day, viewer)
    if isinstance(wanted, Refusal):
        return _refusal(request, wanted)
    return _day(request, token, viewer, wanted, notice=present.deleted_notice(deleted))


def _parse_day(text: str | None, viewer: Viewer) -> date | Refusal:
    if not text:
        return viewer.day
    try:
        return _within_calendar(date.fromisoformat(text))
    except ValueError:
        return Refusal(f'"{text[:40]}" is not a day; write it like 2026-11-23.')


def _within_calendar(day: date) -> date:
    """The pages link a day or week either side, so days at the ends of the calendar are refused."""
    if not in_calendar(day):
        raise ValueError(f"{day} is out of range")
    return day


def _day(request: Request, token: str, viewer: Viewer, day: date, notice: str | None = None) -> HTMLResponse:
    page = diary_pages.day_page(request.app.state.ctx, viewer, day, now=app_now(request.app))
    return _page(request, "day.html", **_day_context(request, token, viewer, page), notice=notice)


def _day_context(request: Request, token: str, viewer: Viewer, page: DayPage) -> dict:
    day = page.diary.day
    return dict(page=page, diary=page.diary, subject=page.diary, viewer=viewer, urls=_urls(request, token),
                prev_day=day - timedelta(days=1), next_day=day + timedelta(days=1),
                week=present.week_containing(day, viewer.tz), deadline=describe_instant(page.edit_deadline, viewer.tz),
                confirming=False)


def _week(request: Request, token: str, viewer: Viewer, label: str) -> HTMLResponse:
    try:
        week = parse_week(label, viewer.tz) if label else present.week_containing(viewer.day, viewer.tz)
        _within_calendar(week.monday)
    except ValueError as error:
        return _refusal(request, Refusal(str(error)))
    page = diary_pages.week_page(request.app.state.ctx, viewer, week, now=app_now(request.app))
    return _page(request, "week.html", sheet=page.sheet, subject=page.sheet, apps=page.apps, week=week, viewer=viewer,
                 urls=_urls(request, token))


@router.get("/diary/{token}/shots/{slot_id}", response_class=Response, responses={200: IMAGE, **REFUSED})
def shot(request: Request, token: str, slot_id: str, size: str = "full") -> Response:
    """A slot's screenshot (`?size=thumb` for the grid's small copy); never without a valid link."""
    viewer = _open(request, token)
    thumb = size == "thumb"
    found = then(viewer, lambda who: _screenshot(request, who, slot_id, thumb))
    if isinstance(found, Refusal):
        return _refusal(request, found)
    etag = f'"{found.sha256[:32]}{"-t" if thumb else ""}"'
    headers = {"Cache-Control": "private, max-age=86400", "ETag": etag, "X-Content-Type-Options": "nosniff",
               "Referrer-Policy": "no-referrer"}
    if request.headers.get("if-none-match") == etag:
        return Response(status_code=304, headers=headers)
    return Response(found.data, media_type=found.content_type, headers=headers)


@router.get("/diary/{token}/webcam/{slot_id}", response_class=Response, responses={200: IMAGE, **REFUSED})
def webcam(request: Request, token: str, slot_id: str) -> Response:
    """A slot's webcam frame (contracts with webcam=on); never without a valid link."""
    viewer, number = _open(request, token), _slot_number(slot_id)
    found = then(viewer, lambda who: diary_pages.NO_SLOT if number is None
                 else diary_pages.webcam_frame(request.app.state.ctx, who, number))
    if isinstance(found, Refusal):
        return _refusal(request, found)
    return _image(request, found, f'"{found.sha256[:32]}-w"')


def _image(request: Request, found, etag: str) -> Response:
    headers = {"Cache-Control": "private, max-age=86400", "ETag": etag, "X-Content-Type-Options": "nosniff",
               "Referrer-Policy": "no-referrer"}
    if request.headers.get("if-none-match") == etag:
        return Response(status_code=304, headers=headers)
    return Response(found.data, media_type=found.content_type, headers=headers)


@router.post("/diary/{token}/slots/{slot_id}/delete", responses={200: HTML, 303: {"description": "Deleted."}, **REFUSED})
def delete(request: Request, token: str, slot_id: str, day: Annotated[str, Form()] = "",
           at: Annotated[str, Form()] = "", confirm: Annotated[str, Form()] = "") -> Response:
    """First a confirmation page; with `confirm=yes` the slot's screenshot and time are removed."""
    viewer, number = _open(request, token), _slot_number(slot_id)
    wanted = then(viewer, lambda who: _parse_day(day, who))
    if isinstance(wanted, Refusal):
        return _refusal(request, wanted)
    if number is None:
        return _refusal(request, diary_pages.NO_SLOT)
    asking = None if confirm == "yes" else _confirm(request, token, viewer, wanted, number)
    if asking is not None:
        return asking
    done = diary_pages.delete_slot(request.app.state.ctx, viewer, number, now=app_now(request.app))
    if isinstance(done, Refusal):
        return _refusal(request, done)
    return RedirectResponse(_urls(request, token).day(wanted, deleted=at), status_code=303, headers=PAGE_HEADERS)


def _slot_number(text: str) -> int | None:
    """Slot ids in addresses are typed by nobody; anything but a plain number names no slot."""
    return int(text) if text.isascii() and text.isdigit() and len(text) < 19 else None


def _screenshot(request: Request, viewer: Viewer, slot_id: str, thumb: bool):
    number = _slot_number(slot_id)
    return diary_pages.NO_SLOT if number is None else diary_pages.screenshot(request.app.state.ctx, viewer, number, thumb=thumb)


def _confirm(request: Request, token: str, viewer: Viewer, day: date, slot_id: int) -> HTMLResponse | None:
    """The page that asks first; None for a viewer who may not delete, who hears the service's refusal."""
    page = diary_pages.day_page(request.app.state.ctx, viewer, day, now=app_now(request.app))
    if not page.can_delete:
        return None
    cells = [cell for row in page.diary.rows for cell in row.cells if cell.slot_id == slot_id]
    if not cells:
        return _refusal(request, diary_pages.NO_SLOT)
    return _page(request, "confirm.html", **{**_day_context(request, token, viewer, page), "confirming": True}, cell=cells[0])
