"""The work-diary pages, mounted on the app by `mount`."""

from pathlib import Path

from fastapi import FastAPI
from fastapi.staticfiles import StaticFiles

from bot.api import clock
from bot.web import log_mask
from bot.web.diary_routes import router, unavailable_page


def mount(app: FastAPI) -> None:
    clock.install(app)
    log_mask.install()
    app.state.unavailable_page = unavailable_page  # a person on a diary page gets a page, not JSON
    app.include_router(router)
    app.mount("/static", StaticFiles(directory=Path(__file__).parent / "static"), name="static")
