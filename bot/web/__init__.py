"""The work-diary pages, mounted on the app by `mount`."""

from pathlib import Path

from fastapi import FastAPI
from fastapi.staticfiles import StaticFiles

from bot.api import clock
from bot.web import log_mask
from bot.web.routes import router


def mount(app: FastAPI) -> None:
    clock.install(app)
    log_mask.install()
    app.include_router(router)
    app.mount("/static", StaticFiles(directory=Path(__file__).parent / "static"), name="static")
